/**
 * A worker process killed (SIGKILL) in the middle of a grading: its job stalls, a new worker
 * reaps the leftover container, picks the job up again, and the result is written once.
 * Real PostgreSQL, Redis and Docker; the workers are child processes running worker/src/main.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPool,
  type Pool,
  migrate,
  recordProblemVersion,
  getSubmission,
  insertSubmission,
  createQueues,
  enqueueGrading,
  type Queues,
} from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const docker = new Docker();
let env: TestEnv;
let pool: Pool;
let queues: Queues;
const children: ChildProcess[] = [];

function startWorker(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${output ? `; worker output:\n${output().slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** This submission's sandbox containers (other tests on the machine may be running their own). */
const sandboxContainers = async (submissionId: string) =>
  docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1', `assay.submission=${submissionId}`] }) });

beforeAll(async () => {
  env = await createTestEnv('kill', {
    WORKER_LOCK_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '1',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  queues = createQueues(env.config);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await queues?.close();
  await pool?.end();
  await env?.cleanup();
});

describe('a worker killed mid-grading', () => {
  it('has its job picked up again; the result is written once; no container is left', async () => {
    const problem = await loadProblem('lru-cache');
    await recordProblemVersion(pool, problem);
    const id = randomUUID();
    await insertSubmission(pool, {
      id,
      orgId: null,
      apiKeyId: null,
      problemId: 'lru-cache',
      problemVersion: problem.manifest.version,
      language: 'typescript',
      files: [{ path: 'solution.ts', content: await readFile(path.join(ROOT, 'problems/lru-cache/reference/solution.ts'), 'utf8') }],
      callbackUrl: null,
      callbackSecret: null,
      idempotencyScope: null,
      idempotencyKey: null,
      requestHash: 'x',
      clientAddress: null,
    });
    await enqueueGrading(queues, env.config, id);

    const first = startWorker();
    await until(
      'the first worker to start grading in a container',
      async () => {
        const s = await getSubmission(pool, id);
        return s?.status === 'running' && (await sandboxContainers(id)).length > 0 ? true : undefined;
      },
      120_000,
      first.output,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await sandboxContainers(id)).length).toBeGreaterThan(0);

    const second = startWorker();
    const done = await until(
      'the second worker to finish the job',
      async () => {
        const s = await getSubmission(pool, id);
        return s?.status === 'completed' ? s : undefined;
      },
      120_000,
      second.output,
    );
    // The verdict itself is the engine's business (timing suites may vary under this test's load); it must be a real one.
    expect(done.result?.verdict).toBeDefined();
    expect(done.result?.verdict).not.toBe('internal_error');
    if (done.result?.verdict !== 'accepted')
      console.warn(`reference graded ${done.result?.verdict} (${done.result?.score}): ${done.result?.summary}`);
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [id]);
    expect(rows[0]!.n).toBe(1);
    await until('no sandbox container left', async () => ((await sandboxContainers(id)).length === 0 ? true : undefined), 30_000);
    expect(second.output()).toContain(id);

    // Graceful shutdown: SIGTERM with nothing running exits cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('"msg":"stopped"');
  }, 420_000);
});
