/**
 * The grading worker's delivery rules on real PostgreSQL and Redis, with a scripted engine in
 * place of Docker: internal errors are retried with backoff up to GRADING_ATTEMPTS, then stored as
 * a failure; a re-delivered job never grades twice nor writes a second result.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPool,
  type Pool,
  migrate,
  recordProblemVersion,
  getSubmission,
  insertSubmission,
  type Submission,
  readProgress,
  createQueues,
  enqueueGrading,
  type Queues,
} from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import type { Result } from '@assay/contracts';
import { GradeInputError } from '@assay/grader';
import type { GradingEngine } from './engine';
import { startWorkers, type RunningWorkers } from './startWorkers';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';

type Step = 'accepted' | 'internal_error' | 'throw' | 'refuse';
const script = new Map<string, Step[]>();
const calls = new Map<string, number>();

const engine: GradingEngine = {
  async grade(req, opts) {
    const id = opts!.submissionId!;
    calls.set(id, (calls.get(id) ?? 0) + 1);
    const step = script.get(id)?.shift() ?? 'accepted';
    opts?.onProgress?.({ stage: 'compiling' });
    if (step === 'throw') throw new Error('engine blew up');
    if (step === 'refuse') throw new GradeInputError('lru-cache accepts typescript, javascript, not cobol');
    const now = new Date().toISOString();
    const result: Result = {
      schemaVersion: 1,
      verdict: step,
      score: step === 'accepted' ? 100 : 0,
      summary: step === 'accepted' ? 'every suite passed' : 'the sandbox could not start',
      problem: { id: req.problem.manifest.id, version: req.problem.manifest.version },
      language: req.language,
      suites: [],
      latency: [],
      complexity: [],
      staticHints: [],
      compile: { ok: true, diagnostics: [] },
      resources: { cpuMs: 1, peakMemoryBytes: 1, wallMs: 1 },
      output: { stdout: '', stderr: '', truncated: false },
      timings: { startedAt: now, finishedAt: now },
      graderVersion: 'scripted',
    };
    opts?.onProgress?.({ stage: 'finished', verdict: result.verdict, score: result.score });
    return result;
  },
  async reapOrphans() {
    return 0;
  },
  async ping() {},
  async close() {},
};

let env: TestEnv;
let pool: Pool;
let redis: Redis;
let queues: Queues;
let workers: RunningWorkers;

async function submit(steps: Step[]): Promise<string> {
  const pkg = await loadProblem('lru-cache');
  await recordProblemVersion(pool, pkg);
  const id = randomUUID();
  script.set(id, steps);
  await insertSubmission(pool, {
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
  await enqueueGrading(queues, env.config, id);
  return id;
}

async function finished(id: string): Promise<Submission> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await getSubmission(pool, id);
    if (s && (s.status === 'completed' || s.status === 'failed')) return s;
    if (Date.now() > deadline) throw new Error(`submission ${id} still ${s?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const resultRows = async (id: string) =>
  (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [id])).rows[0]!.n;

beforeAll(async () => {
  env = await createTestEnv('grading_worker', { GRADING_ATTEMPTS: '3', GRADING_BACKOFF_MS: '20', WORKER_CONCURRENCY: '2' });
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  redis = new Redis(env.config.redisUrl, { maxRetriesPerRequest: null });
  queues = createQueues(env.config, 'worker');
  workers = await startWorkers({ config: env.config, pool, redis, queues, engine, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await workers?.close(5_000);
  await queues?.close();
  redis?.disconnect();
  await pool?.end();
  await env?.cleanup();
});

describe('GradingWorker', () => {
  it('grades, publishes progress, and writes the result', async () => {
    const id = await submit(['accepted']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'completed', attempts: 1, result: { verdict: 'accepted' } });
    const progress = await readProgress(redis, env.config.queuePrefix, id);
    expect(progress.map((m) => (m.type === 'status' ? m.status : m.event.stage))).toEqual([
      'running',
      'compiling',
      'finished',
      'completed',
    ]);
  });

  it('retries an internal error with backoff, then completes', async () => {
    const id = await submit(['internal_error', 'accepted']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'completed', result: { verdict: 'accepted' } });
    expect(calls.get(id)).toBe(2);
    expect(await resultRows(id)).toBe(1);
    const statuses = (await readProgress(redis, env.config.queuePrefix, id))
      .filter((m) => m.type === 'status')
      .map((m) => m.type === 'status' && m.status);
    expect(statuses).toEqual(['running', 'queued', 'running', 'completed']);
  });

  it('stores the failure after GRADING_ATTEMPTS internal errors', async () => {
    const id = await submit(['internal_error', 'internal_error', 'internal_error']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'failed', result: { verdict: 'internal_error' } });
    expect(s.error).toMatch(/could not start/);
    expect(calls.get(id)).toBe(3);
  });

  it('an engine that throws is retried, and its last failure stored as ours', async () => {
    const id = await submit(['throw', 'throw', 'throw']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'failed', result: { verdict: 'internal_error' } });
    expect(s.result!.summary).toMatch(/engine blew up.*not the candidate's fault/);
    expect(calls.get(id)).toBe(3);
  });

  it('a request the engine refuses is stored as failed at once: no retry, the job failed as unrecoverable', async () => {
    const id = await submit(['refuse', 'accepted']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'failed', attempts: 1, result: { verdict: 'internal_error' } });
    expect(s.error).toMatch(/not cobol/);
    const deadline = Date.now() + 10_000;
    while ((await queues.grading.getJobState(id)) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const job = await queues.grading.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/refused the submission: .*not cobol/);
    expect(calls.get(id)).toBe(1);
    expect(await resultRows(id)).toBe(1);
  });

  it('a re-delivered job neither grades again nor writes a second result', async () => {
    const id = await submit(['accepted']);
    await finished(id);
    const job = await queues.grading.getJob(id);
    await job?.remove();
    await enqueueGrading(queues, env.config, id);
    const deadline = Date.now() + 10_000;
    while ((await queues.grading.getJobState(id)) !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await queues.grading.getJobState(id)).toBe('completed');
    expect(calls.get(id)).toBe(1);
    expect(await resultRows(id)).toBe(1);
  });
});
