import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{contracts,sdk,container,grader,platform,worker,api,cli,web,problems}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Real containers, Redis and PostgreSQL: generous timeouts, and one file at a time so
    // timing-based suites (latency, complexity) never compete with each other for the 2 cores.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    // Only the problem catalogue runs tests concurrently (two packages at a time).
    maxConcurrency: 2,
    pool: 'forks',
  },
});
