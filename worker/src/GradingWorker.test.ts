/**
 * The grading worker's delivery rules on real PostgreSQL and Redis, with a scripted engine in
 * place of Docker: internal errors are retried with backoff up to GRADING_ATTEMPTS, then stored as
 * a failure; a re-delivered job never grades twice nor writes a second result; an unavailable
 * sandbox pauses the worker and spends no attempt; lost jobs are healed; failures re-graded.
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
  metricsRegistry,
  regradeSubmission,
  type Submission,
  readProgress,
  createQueues,
  enqueueGrading,
  type Queues,
} from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import type { Result } from '@assay/contracts';
import { GradeInputError, SandboxUnavailableError } from '@assay/grader';
import type { GradingEngine } from './engine';
import { startWorkers, type RunningWorkers } from './startWorkers';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';

type Step = 'accepted' | 'internal_error' | 'throw' | 'refuse' | 'unavailable';
const script = new Map<string, Step[]>();
const calls = new Map<string, number>();
/** While set, the scripted engine's sandbox check fails (as with Docker stopped). */
let sandboxDown = false;

const engine: GradingEngine = {
  async grade(req, opts) {
    const id = opts!.submissionId!;
    calls.set(id, (calls.get(id) ?? 0) + 1);
    const step = script.get(id)?.shift() ?? 'accepted';
    opts?.onProgress?.({ stage: 'compiling' });
    if (step === 'throw') throw new Error('engine blew up');
    if (step === 'refuse') throw new GradeInputError('lru-cache accepts typescript, javascript, not cobol');
    if (step === 'unavailable' || sandboxDown) throw new SandboxUnavailableError('connect ENOENT /var/run/docker.sock');
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
  async checkSandbox() {
    if (sandboxDown) throw new SandboxUnavailableError('the Docker engine does not answer');
  },
  async sweepAfterOutage() {
    sweeps++;
    return 0;
  },
  async ping() {},
  async close() {},
};

let sweeps = 0;
let env: TestEnv;
let pool: Pool;
let redis: Redis;
let queues: Queues;
let workers: RunningWorkers;

async function submit(steps: Step[], enqueue = true): Promise<string> {
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
  if (enqueue) await enqueueGrading(queues, env.config, id);
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
  env = await createTestEnv('grading_worker', {
    GRADING_ATTEMPTS: '3',
    GRADING_BACKOFF_MS: '20',
    WORKER_CONCURRENCY: '2',
    GRADING_REQUEUE_DELAY_MS: '50',
    DOCKER_CHECK_INTERVAL_MS: '100',
    WORKER_HEAL_AFTER_S: '0',
    WORKER_HEAL_INTERVAL_MS: '3600000',
  });
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

  it('a sandbox failure spends no attempt: the job goes back and completes once the engine runs it', async () => {
    const id = await submit(['unavailable', 'unavailable', 'unavailable', 'unavailable', 'accepted']);
    const s = await finished(id);
    expect(s).toMatchObject({ status: 'completed', attempts: 1, result: { verdict: 'accepted' } });
    expect(calls.get(id)).toBe(5);
    // BullMQ counts the attempt that completed; the four put back counted none.
    const job = await queues.grading.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(await resultRows(id)).toBe(1);
  });

  it('pauses while the sandbox is unavailable (readiness and metrics say so), then resumes by itself', async () => {
    sandboxDown = true;
    await workers.grading.sandbox.check();
    expect(workers.grading.sandbox.current()).toMatchObject({ available: false });
    expect(workers.grading.worker.isPaused()).toBe(true);
    expect(await metricsRegistry.getSingleMetricAsString('assay_sandbox_available')).toMatch(/assay_sandbox_available 0/);
    const ids = await Promise.all([submit(['accepted']), submit(['accepted']), submit(['accepted'])]);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const id of ids) expect((await getSubmission(pool, id))?.status).toBe('queued');
    expect(ids.map((id) => calls.get(id) ?? 0)).toEqual([0, 0, 0]);
    const sweptBefore = sweeps;
    sandboxDown = false;
    for (const id of ids) expect(await finished(id)).toMatchObject({ status: 'completed', attempts: 1, result: { verdict: 'accepted' } });
    expect(sweeps).toBe(sweptBefore + 1);
    expect(workers.grading.sandbox.current().available).toBe(true);
    expect(await metricsRegistry.getSingleMetricAsString('assay_sandbox_available')).toMatch(/assay_sandbox_available 1/);
  });

  it('heals submissions whose job vanished (not only at start); live jobs are left alone', async () => {
    const lost = await Promise.all([submit(['accepted'], false), submit(['accepted'], false)]);
    expect(await workers.healer.heal()).toBe(2);
    for (const id of lost) expect(await finished(id)).toMatchObject({ status: 'completed', result: { verdict: 'accepted' } });
    expect(calls.get(lost[0]!)).toBe(1);
    expect(await workers.healer.heal()).toBe(0);
  });

  it('re-grades a failed submission from scratch; a completed one is refused', async () => {
    const id = await submit(['internal_error', 'internal_error', 'internal_error', 'accepted']);
    expect(await finished(id)).toMatchObject({ status: 'failed' });
    const again = await regradeSubmission(pool, queues, env.config, id);
    expect(again).toMatchObject({ enqueued: true, submission: { status: 'queued', attempts: 0, result: null } });
    expect(await finished(id)).toMatchObject({ status: 'completed', attempts: 1, result: { verdict: 'accepted' } });
    expect(calls.get(id)).toBe(4);
    expect(await resultRows(id)).toBe(1);
    await expect(regradeSubmission(pool, queues, env.config, id)).rejects.toThrow(/completed; only a failed submission/);
    expect(await regradeSubmission(pool, queues, env.config, randomUUID())).toBeUndefined();
  });
});
