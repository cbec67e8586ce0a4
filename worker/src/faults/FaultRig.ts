/**
 * The rig fault tests and the outage benchmark share: a private Redis, PostgreSQL and Docker
 * engine (see privateServices.ts) under one temp dir, worker processes (worker/src/main.ts)
 * pointed at them through the environment, a webhook receiver on loopback, trivial submissions
 * of a tiny problem (grader/src/fixtures/problems/canary), and the audit every fault ends with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunnerImage } from '@assay/grader';
import {
  createPool,
  createQueues,
  encryptSecret,
  enqueueGrading,
  generateWebhookSecret,
  insertSubmission,
  loadConfig,
  migrate,
  recordProblemVersion,
  type Config,
  type Pool,
  type Queues,
} from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import { PrivateDocker, PrivatePostgres, PrivateRedis, until } from './privateServices';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = path.join(ROOT, 'grader/src/fixtures/problems');

/** Trivial candidate files and the verdict each must get. */
export const SOLUTIONS = {
  accepted: { content: 'export function echo(t) { return t; }\n', verdict: 'accepted' },
  wrong: { content: "export function echo(t) { return t + '!'; }\n", verdict: 'wrong_answer' },
  /** About 1.5 s per test call: long enough to kill a worker or an engine mid-grading. */
  slow: { content: 'export async function echo(t) { await new Promise((r) => setTimeout(r, 1500)); return t; }\n', verdict: 'accepted' },
} as const;
export type SolutionKind = keyof typeof SOLUTIONS;

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<void>;
}

interface Received {
  webhookId: string;
  type: string;
  submissionId: string;
}

export interface Audit {
  submissions: number;
  /** Not completed with a result. */
  lost: string[];
  wrongVerdicts: string[];
  internalErrors: number;
  duplicatedResults: number;
  duplicatedDeliveries: number;
  /** Distinct webhook ids received more than once per submission and event… counted per submission beyond the first. */
  duplicatedWebhooks: number;
  failedWebhooks: number;
  missingWebhooks: number;
  leftoverContainers: number;
}

export class FaultRig {
  readonly workers: WorkerProcess[] = [];
  readonly received: Received[] = [];
  readonly expected = new Map<string, string>();
  private constructor(
    readonly dir: string,
    readonly redis: PrivateRedis,
    readonly postgres: PrivatePostgres,
    readonly docker: PrivateDocker,
    readonly config: Config,
    readonly env: Record<string, string>,
    readonly pool: Pool,
    readonly queues: Queues,
    private readonly receiver: http.Server,
    private readonly callbackUrl: string,
  ) {}

  /** Everything is torn down by `close()`, which also runs when start fails half-way. */
  static async start(workerEnv: Record<string, string> = {}, log: (line: string) => void = () => {}): Promise<FaultRig> {
    // Short: containerd's socket paths under the exec root must fit in 108 bytes.
    const dir = await mkdtemp(`/tmp/af-${randomBytes(2).toString('hex')}-`);
    await chmod(dir, 0o755); // PostgreSQL runs as its own user and must reach its data dir
    const started: Array<{ stop(): Promise<void> }> = [];
    try {
      const t0 = Date.now();
      const starts = await Promise.allSettled([
        PrivateRedis.start(`${dir}/redis`),
        PrivatePostgres.start(`${dir}/pg`),
        PrivateDocker.start(`${dir}/docker`),
      ] as const);
      for (const s of starts)
        if (s.status === 'fulfilled')
          started.push(s.value instanceof PrivateDocker ? { stop: () => (s.value as PrivateDocker).destroy() } : s.value);
      const failed = starts.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const [redis, postgres, docker] = starts.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
        PrivateRedis,
        PrivatePostgres,
        PrivateDocker,
      ];
      log(`private redis, postgres and dockerd up in ${Date.now() - t0} ms`);
      const t1 = Date.now();
      const image = await new RunnerImage(docker.docker).ensure();
      log(`runner image ${image} built into the private engine in ${Date.now() - t1} ms`);
      const env: Record<string, string> = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: postgres.url(),
        REDIS_URL: redis.url,
        QUEUE_PREFIX: 'faults',
        DOCKER_SOCKET: docker.socket,
        ALLOW_LOOPBACK_CALLBACKS: 'true',
        WORKER_CONCURRENCY: '2',
        DOCKER_CHECK_INTERVAL_MS: '1000',
        WEBHOOK_BACKOFF_MS: '500',
        WORKER_HEAL_INTERVAL_MS: '5000',
        WORKER_HEAL_AFTER_S: '20',
        SHUTDOWN_TIMEOUT_MS: '5000',
        ...workerEnv,
      };
      const config = loadConfig(env);
      await migrate(config.databaseUrl);
      const pool = createPool(config);
      const queues = createQueues(config, 'worker');
      await recordProblemVersion(pool, await loadProblem('canary', FIXTURES));
      const receiver = http.createServer();
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const rig = new FaultRig(dir, redis, postgres, docker, config, env, pool, queues, receiver, url);
      receiver.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => rig.onWebhook(req, res));
      return rig;
    } catch (err) {
      await Promise.allSettled(started.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
  }

  private onWebhook(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const msg = JSON.parse(body) as { type: string; data: { id: string } };
        this.received.push({ webhookId: String(req.headers['webhook-id']), type: msg.type, submissionId: msg.data.id });
      } catch {
        /* counted as missing */
      }
      res.writeHead(204).end();
    });
  }

  startWorker(extraEnv: Record<string, string> = {}): WorkerProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_HOST: '', ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (c: Buffer) => (out = (out + String(c)).slice(-200_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    const exited = new Promise<void>((r) => child.once('exit', () => (process.off('exit', kill), r())));
    const w: WorkerProcess = { child, pid: child.pid!, output: () => out, exited };
    this.workers.push(w);
    return w;
  }

  /** Resolves once the worker logged that it consumes the queues. */
  async workerReady(w: WorkerProcess, timeoutMs = 120_000): Promise<void> {
    await until('the worker to start', async () => (w.output().includes('"msg":"workers started"') ? true : undefined), timeoutMs).catch(
      (e: Error) => {
        throw new Error(`${e.message}; its output:\n${w.output().slice(-4000)}`);
      },
    );
  }

  async submit(kinds: SolutionKind[]): Promise<string[]> {
    const ids: string[] = [];
    for (const kind of kinds) {
      const id = randomUUID();
      await insertSubmission(this.pool, {
        id,
        orgId: null,
        apiKeyId: null,
        problemId: 'canary',
        problemVersion: '1.0.0',
        language: 'javascript',
        files: [{ path: 'solution.js', content: SOLUTIONS[kind].content }],
        callbackUrl: this.callbackUrl,
        callbackSecret: encryptSecret(this.config.webhooks.secretsKey, generateWebhookSecret()),
        idempotencyScope: null,
        idempotencyKey: null,
        requestHash: kind,
        clientAddress: null,
      });
      await enqueueGrading(this.queues, this.config, id);
      this.expected.set(id, SOLUTIONS[kind].verdict);
      ids.push(id);
    }
    return ids;
  }

  async statuses(ids: string[]): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ id: string; status: string }>(`SELECT id, status FROM submissions WHERE id = ANY($1)`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Waits until every submission is finished and its webhook arrived; returns when (ms since the epoch). */
  async allDone(ids: string[], timeoutMs: number): Promise<number> {
    await until(
      `${ids.length} submissions to finish and their webhooks to arrive`,
      async () => {
        const s = await this.statuses(ids);
        const finished = ids.every((id) => s.get(id) === 'completed' || s.get(id) === 'failed');
        const hooked = new Set(this.received.map((r) => r.submissionId));
        return finished && ids.every((id) => hooked.has(id)) ? true : undefined;
      },
      timeoutMs,
      250,
    ).catch(async (e: Error) => {
      const s = await this.statuses(ids).catch(() => new Map());
      const counts: Record<string, number> = {};
      for (const id of ids) counts[s.get(id) ?? '?'] = (counts[s.get(id) ?? '?'] ?? 0) + 1;
      throw new Error(
        `${e.message}: ${JSON.stringify(counts)}; workers' output:\n${this.workers.map((w) => w.output().slice(-3000)).join('\n---\n')}`,
      );
    });
    return Date.now();
  }

  /** What every fault must leave: nothing lost, duplicated or failed; no container behind. */
  async audit(ids: string[]): Promise<Audit> {
    const { rows: subs } = await this.pool.query<{ id: string; status: string; verdict: string | null }>(
      `SELECT s.id, s.status, r.verdict FROM submissions s LEFT JOIN results r ON r.submission_id = s.id WHERE s.id = ANY($1)`,
      [ids],
    );
    const { rows: results } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM results WHERE submission_id = ANY($1) GROUP BY submission_id HAVING count(*) > 1`,
      [ids],
    );
    const { rows: deliveries } = await this.pool.query<{ submission_id: string; event_type: string; n: number }>(
      `SELECT submission_id, event_type, count(*)::int AS n FROM webhook_deliveries WHERE submission_id = ANY($1) GROUP BY 1, 2`,
      [ids],
    );
    const mine = this.received.filter((r) => ids.includes(r.submissionId));
    const webhookIds = new Map<string, Set<string>>();
    for (const r of mine) webhookIds.set(r.submissionId, (webhookIds.get(r.submissionId) ?? new Set()).add(r.webhookId));
    const leftover = await until('the engine to list containers', () => this.docker.sandboxContainers(), 30_000);
    return {
      submissions: ids.length,
      lost: subs.filter((s) => s.status !== 'completed' || !s.verdict).map((s) => s.id),
      wrongVerdicts: subs.filter((s) => s.verdict !== this.expected.get(s.id)).map((s) => `${s.id}: ${s.verdict} (${s.status})`),
      internalErrors: subs.filter((s) => s.verdict === 'internal_error').length,
      duplicatedResults: results.length,
      duplicatedDeliveries:
        deliveries.filter((d) => d.n > 1).length +
        (deliveries.filter((d) => d.event_type === 'submission.completed').length - ids.length > 0 ? 1 : 0),
      duplicatedWebhooks: [...webhookIds.values()].reduce((n, set) => n + set.size - 1, 0),
      failedWebhooks:
        mine.filter((r) => r.type !== 'submission.completed').length +
        deliveries.filter((d) => d.event_type !== 'submission.completed').length,
      missingWebhooks: ids.filter((id) => !webhookIds.has(id)).length,
      leftoverContainers: leftover.length,
    };
  }

  async close(): Promise<void> {
    for (const w of this.workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
    await Promise.allSettled([this.queues.close(), this.pool.end()]);
    this.receiver.close();
    await Promise.allSettled([this.redis.stop(), this.postgres.stop(), this.docker.destroy()]);
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
