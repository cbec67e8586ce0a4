import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Result } from '@assay/contracts';
import {
  createPool,
  createQueues,
  finishSubmission,
  getSubmission,
  inTransaction,
  insertSubmission,
  migrate,
  recordProblemVersion,
  type Pool,
} from '@assay/platform';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';
import { loadProblem } from '@assay/sdk/package';
import { CliError } from './CliError';
import { registerSubmissionsCommand } from './submissions';

let env: TestEnv;
let pool: Pool;
const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, QUEUE_PREFIX: process.env.QUEUE_PREFIX };

async function run(...args: string[]): Promise<string> {
  const program = new Command('assay').exitOverride();
  registerSubmissionsCommand(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'assay', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

async function stored(status: 'failed' | 'completed'): Promise<string> {
  const pkg = await loadProblem('lru-cache');
  await recordProblemVersion(pool, pkg);
  const id = randomUUID();
  const { submission } = await insertSubmission(pool, {
    id,
    orgId: null,
    apiKeyId: null,
    problemId: 'lru-cache',
    problemVersion: pkg.manifest.version,
    language: 'typescript',
    files: [{ path: 'solution.ts', content: 'export class LRUCache {}' }],
    callbackUrl: null,
    callbackSecret: null,
    idempotencyScope: null,
    idempotencyKey: null,
    requestHash: 'x',
    clientAddress: null,
  });
  const now = new Date().toISOString();
  const result: Result = {
    schemaVersion: 1,
    verdict: status === 'failed' ? 'internal_error' : 'accepted',
    score: status === 'failed' ? 0 : 100,
    summary: 'stored by the test',
    problem: { id: 'lru-cache', version: pkg.manifest.version },
    language: 'typescript',
    suites: [],
    latency: [],
    complexity: [],
    staticHints: [],
    compile: { ok: true, diagnostics: [] },
    resources: { cpuMs: 0, peakMemoryBytes: 0, wallMs: 0 },
    output: { stdout: '', stderr: '', truncated: false },
    timings: { startedAt: now, finishedAt: now },
    graderVersion: 'test',
  };
  await inTransaction(pool, (c) => finishSubmission(c, submission.id, status, result, 1, status === 'failed' ? 'engine gone' : null));
  return id;
}

beforeAll(async () => {
  env = await createTestEnv('cli_submissions');
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  Object.assign(process.env, { DATABASE_URL: env.env.DATABASE_URL, REDIS_URL: env.env.REDIS_URL, QUEUE_PREFIX: env.env.QUEUE_PREFIX });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await pool?.end();
  await env?.cleanup();
});

describe('assay submissions regrade', () => {
  it('queues a failed submission again with its failure removed and a new job', async () => {
    const id = await stored('failed');
    expect(await run('submissions', 'regrade', id)).toBe(`${id} queued for regrading\n`);
    expect(await getSubmission(pool, id)).toMatchObject({ status: 'queued', attempts: 0, error: null, result: null });
    const queues = createQueues(env.config);
    try {
      expect(await queues.grading.getJobState(id)).toBe('waiting');
    } finally {
      await queues.close();
    }
  });

  it('refuses a completed or unknown submission (exit 1) and a non-UUID (usage, exit 2), changing nothing', async () => {
    const done = await stored('completed');
    const unknown = randomUUID();
    const err = await run('submissions', 'regrade', done, unknown).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toContain(`${done}: the submission is completed; only a failed submission`);
    expect((err as CliError).message).toContain(`${unknown}: no such submission`);
    expect(await getSubmission(pool, done)).toMatchObject({ status: 'completed', result: { verdict: 'accepted' } });
    const usage = await run('submissions', 'regrade', "'; DROP TABLE submissions; --").catch((e: unknown) => e);
    expect(usage).toBeInstanceOf(CliError);
    expect((usage as CliError).exitCode).toBe(2);
  });
});
