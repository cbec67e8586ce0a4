import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults for a developer machine', () => {
    const c = loadConfig({});
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.databaseUrl).toBe('postgres://assay@127.0.0.1:5433/assay');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6380');
    expect(c.worker.concurrency).toBeGreaterThanOrEqual(1);
    expect(c.webhooks.allowLoopback).toBe(false);
    expect(c.webhooks.secretsKey).toHaveLength(32);
    expect(c.admin.password).toBeUndefined();
  });

  it('reads the environment', () => {
    const c = loadConfig({
      PORT: '9000',
      WORKER_CONCURRENCY: '3',
      ALLOW_LOOPBACK_CALLBACKS: 'true',
      ALLOWED_CALLBACK_HOSTS: 'a.internal, B.internal',
      PRACTICE_PROBLEMS: 'lru-cache',
    });
    expect(c.http.port).toBe(9000);
    expect(c.worker.concurrency).toBe(3);
    expect(c.webhooks.allowLoopback).toBe(true);
    expect(c.webhooks.allowedHosts).toEqual(['a.internal', 'b.internal']);
    expect(c.practiceProblems).toEqual(['lru-cache']);
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ WORKER_CONCURRENCY: '', ADMIN_PASSWORD: '', PORT: '' });
    expect(c.http.port).toBe(8080);
    expect(c.admin.password).toBeUndefined();
  });

  it('reads the usual spellings of a boolean, in any case', () => {
    expect(loadConfig({ RUN_WORKER: 'FALSE' }).worker.embedded).toBe(false);
    expect(loadConfig({ RUN_WORKER: 'off' }).worker.embedded).toBe(false);
    expect(loadConfig({ ALLOW_PRIVATE_CALLBACKS: 'Yes' }).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ ALLOW_PRIVATE_CALLBACKS: '1' }).webhooks.allowPrivate).toBe(true);
    expect(() => loadConfig({ RUN_WORKER: 'maybe' })).toThrow(/RUN_WORKER/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SECRETS_KEY: 'c2hvcnQ=' })).toThrow(/SECRETS_KEY must be 32 bytes/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });

  it("hands a dead worker's job on within about 15 s by default, and reads the outage settings", () => {
    const w = loadConfig({}).worker;
    expect(w.lockDurationMs + w.stalledIntervalMs).toBeLessThanOrEqual(15_000);
    expect(w).toMatchObject({
      requeueDelayMs: 2_000,
      maxRequeues: 50,
      dockerCheckIntervalMs: 2_000,
      healIntervalMs: 30_000,
      healAfterS: 60,
    });
    expect(loadConfig({ DOCKER_CHECK_INTERVAL_MS: '500', GRADING_MAX_REQUEUES: '5' }).worker).toMatchObject({
      dockerCheckIntervalMs: 500,
      maxRequeues: 5,
    });
    expect(() => loadConfig({ DOCKER_CHECK_INTERVAL_MS: '0' })).toThrow(/DOCKER_CHECK_INTERVAL_MS/);
    expect(() => loadConfig({ GRADING_MAX_REQUEUES: '-1' })).toThrow(/GRADING_MAX_REQUEUES/);
  });
});
