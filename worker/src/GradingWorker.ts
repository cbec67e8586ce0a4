/**
 * Consumes grading jobs: one job per submission (job id = submission id), delivered at least once.
 * A re-delivered job finds the result already written and only makes sure what follows it
 * (status, webhooks) happened. Internal errors are thrown so BullMQ retries them with backoff;
 * the last attempt stores the failure instead. What retrying cannot fix (the engine refusing the
 * request) is stored at once and ends the job with BullMQ's UnrecoverableError. Infrastructure
 * failures (the sandbox engine away, PostgreSQL or Redis not answering) spend no attempt: the job
 * is moved back to delayed, and while the engine is away the worker is paused (SandboxMonitor).
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FinishedStatus, Result, WebhookEvent } from '@assay/contracts';
import { GradeInputError, SandboxUnavailableError } from '@assay/grader';
import {
  type Config,
  inTransaction,
  type Pool,
  loadProblemAt,
  finishSubmission,
  getSubmission,
  markRetrying,
  markRequeued,
  markRunning,
  gradingRequeues,
  type Submission,
  createDeliveries,
  gradingDuration,
  publishProgress,
  type ProgressMessage,
  enqueueDeliveries,
  GRADING_QUEUE,
  redisConnection,
  type GradingJobData,
  type Queues,
} from '@assay/platform';
import type { GradingEngine } from './engine';
import { SandboxMonitor } from './SandboxMonitor';

export interface GradingWorkerDeps {
  config: Config;
  pool: Pool;
  /** A normal (non-subscriber) connection for publishing progress. */
  redis: Redis;
  queues: Queues;
  engine: GradingEngine;
  logger: Logger;
}

export const GRADER_PLATFORM_VERSION = 'assay-platform/0.1.0';

/** The engine returned an `internal_error` verdict (ours, never the candidate's) with attempts left: BullMQ retries the job with backoff. */
export class InternalGradingError extends Error {
  override readonly name = 'InternalGradingError';
}

/** Shutdown aborted the grading: nothing is recorded, whatever the attempt; the job stalls and runs again on a live worker. */
export class GradingAbortedError extends Error {
  override readonly name = 'GradingAbortedError';
}

/** Why a job went back without spending an attempt. */
type RequeueReason = 'sandbox' | 'services';

export class GradingWorker {
  readonly worker: Worker<GradingJobData>;
  readonly sandbox: SandboxMonitor;
  private readonly inflight = new Map<string, AbortController>();

  constructor(private readonly deps: GradingWorkerDeps) {
    const { config } = deps;
    this.worker = new Worker<GradingJobData>(GRADING_QUEUE, (job, token) => this.processOrRequeue(job, token), {
      connection: redisConnection(config, 'worker'),
      prefix: config.queuePrefix,
      concurrency: config.worker.concurrency,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.stalledIntervalMs,
      maxStalledCount: config.worker.maxStalledCount,
      autorun: false,
    });
    this.sandbox = new SandboxMonitor(
      deps.engine,
      this.worker,
      deps.logger.child({ component: 'sandbox-monitor' }),
      config.worker.dockerCheckIntervalMs,
    );
    this.worker.on('error', (err) => deps.logger.error({ err }, `grading worker: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const log = deps.logger.child({ submissionId: job.data.submissionId });
      log.warn({ attemptsMade: job.attemptsMade, err }, `grading attempt failed: ${err.message}`);
      // Failed for good without our processor finishing it (e.g. stalled more often than
      // WORKER_MAX_STALLED): record the failure so the submission does not stay running forever.
      void (async () => {
        if ((await job.getState()) !== 'failed') return;
        const sub = await getSubmission(deps.pool, job.data.submissionId);
        if (sub && !sub.result) await this.afterResult(sub, internalErrorResult(sub, err.message), 'failed', null, err.message, log);
      })().catch((e: Error) => log.error({ err: e }, `could not record the failed grading: ${e.message}`));
    });
  }

  start(): void {
    this.sandbox.start();
    void this.worker.run().catch((err) => this.deps.logger.error({ err }, 'grading worker stopped'));
  }

  private async publish(submissionId: string, msg: ProgressMessage): Promise<void> {
    await publishProgress(this.deps.redis, this.deps.config.queuePrefix, submissionId, msg, this.deps.config.progressTtlS).catch((err) =>
      this.deps.logger.warn({ submissionId, err }, `progress not published: ${(err as Error).message}`),
    );
  }

  /** Runs the job, or puts it back (no attempt spent) when the sandbox or a service is unavailable. */
  private async processOrRequeue(job: Job<GradingJobData>, token: string | undefined): Promise<{ verdict: string; score: number } | null> {
    const { submissionId } = job.data;
    const log = this.deps.logger.child({ submissionId, jobAttempt: job.attemptsMade + 1 });
    // A loop guard: a job put back this often counts its infrastructure failures as attempts again.
    const mayRequeue = job.attemptsStarted <= job.attemptsMade + this.deps.config.worker.maxRequeues;
    let reason: RequeueReason | undefined;
    // Fetched just as the worker paused: nothing ran, so there is no attempt to give back.
    if (!this.sandbox.current().available) return this.requeue(job, token, 'sandbox', false, log);
    try {
      return await this.process(job, log);
    } catch (err) {
      if (!mayRequeue || err instanceof GradingAbortedError || err instanceof UnrecoverableError) throw err;
      if (err instanceof SandboxUnavailableError) {
        reason = 'sandbox';
        void this.sandbox.check();
      } else if (!(await this.servicesAnswer())) reason = 'services';
      if (!reason) throw err;
      log.warn({ err, reason }, `infrastructure failure, putting the job back without spending an attempt: ${(err as Error).message}`);
    }
    return this.requeue(job, token, reason, true, log);
  }

  /** Moves the job back to delayed and ends the processor with BullMQ's DelayedError (no attempt counted). */
  private async requeue(
    job: Job<GradingJobData>,
    token: string | undefined,
    reason: RequeueReason,
    ran: boolean,
    log: Logger,
  ): Promise<never> {
    const { submissionId } = job.data;
    gradingRequeues.inc({ reason });
    const why = reason === 'sandbox' ? 'the sandbox engine is unavailable' : 'a service (PostgreSQL or Redis) is unavailable';
    if (ran)
      await markRequeued(this.deps.pool, submissionId, why).catch((err: Error) =>
        log.warn({ err }, `could not mark the submission queued: ${err.message}`),
      );
    await this.publish(submissionId, { type: 'status', status: 'queued', message: `waiting: ${why}` });
    // If Redis itself is away this throws; the job's lock then lapses and it is handed on as stalled.
    await job.moveToDelayed(Date.now() + this.deps.config.worker.requeueDelayMs, token);
    throw new DelayedError();
  }

  /** Tells an infrastructure failure from ours by asking the services, never by an error's text. */
  private async servicesAnswer(): Promise<boolean> {
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer')), 3_000).unref())]);
    try {
      await within(this.deps.pool.query('SELECT 1'));
      await within(this.deps.redis.ping());
      return true;
    } catch {
      return false;
    }
  }

  private async process(job: Job<GradingJobData>, log: Logger): Promise<{ verdict: string; score: number } | null> {
    const { submissionId } = job.data;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const existing = await getSubmission(this.deps.pool, submissionId);
      if (!existing) {
        log.warn('job for a submission that does not exist (deleted?): dropping it');
        return null;
      }
      if (existing.result) {
        log.info('already graded (re-delivered job): finishing what follows the result');
        await this.afterResult(existing, existing.result, existing.status === 'failed' ? 'failed' : 'completed', null, null, log);
        return { verdict: existing.result.verdict, score: existing.result.score };
      }
      const sub = await markRunning(this.deps.pool, submissionId);
      if (!sub) return null;
      // Handed on from a worker that died: its container may still run; remove it now, not at the next sweep.
      if (job.attemptsStarted > 1)
        await this.deps.engine
          .reapOrphans()
          .then((n) => n && log.info({ removed: n }, 'removed sandbox containers left by a dead worker'))
          .catch(() => {});
      await this.publish(submissionId, { type: 'status', status: 'running' });
      const problem = await loadProblemAt(this.deps.pool, sub.problemId, sub.problemVersion);
      const ac = new AbortController();
      this.inflight.set(submissionId, ac);
      const started = performance.now();
      log.info({ problemId: sub.problemId, problemVersion: sub.problemVersion, language: sub.language }, 'grading');
      let result: Result;
      try {
        result = await this.deps.engine.grade(
          { problem, language: sub.language, files: sub.files, queuedAt: sub.createdAt.toISOString() },
          { submissionId, signal: ac.signal, onProgress: (event) => void this.publish(submissionId, { type: 'progress', event }) },
        );
      } finally {
        this.inflight.delete(submissionId);
      }
      const seconds = (performance.now() - started) / 1000;
      gradingDuration.observe({ verdict: result.verdict }, seconds);
      if (ac.signal.aborted) throw new GradingAbortedError('grading aborted by shutdown; the job will run again');
      if (result.verdict === 'internal_error') {
        if (!lastAttempt) {
          log.warn({ summary: result.summary }, 'internal error: retrying with backoff');
          await markRetrying(this.deps.pool, submissionId, result.summary);
          await this.publish(submissionId, { type: 'status', status: 'queued', message: `internal error, retrying: ${result.summary}` });
          throw new InternalGradingError(`internal error: ${result.summary}`);
        }
        log.error({ summary: result.summary }, 'internal error on the last attempt: storing the failure');
        await this.afterResult(sub, result, 'failed', Math.round(seconds * 1000), result.summary, log);
        return { verdict: result.verdict, score: result.score };
      }
      log.info({ verdict: result.verdict, score: result.score, seconds: Number(seconds.toFixed(3)) }, 'graded');
      await this.afterResult(sub, result, 'completed', Math.round(seconds * 1000), null, log);
      return { verdict: result.verdict, score: result.score };
    } catch (err) {
      if (err instanceof GradingAbortedError || err instanceof InternalGradingError || err instanceof SandboxUnavailableError) throw err;
      // The engine refusing the request will refuse it again; anything else on our side (database,
      // problem package, engine threw) may pass on a later attempt.
      const refused = err instanceof GradeInputError;
      const message = (err as Error).message;
      // A service not answering is no reason to store a failure: the caller puts the job back.
      if (!refused && (!lastAttempt || !(await this.servicesAnswer()))) throw err;
      log.error({ err }, refused ? `the engine refused the submission: ${message}` : `grading failed on the last attempt: ${message}`);
      const sub = await getSubmission(this.deps.pool, submissionId);
      if (sub && !sub.result) await this.afterResult(sub, internalErrorResult(sub, message), 'failed', null, message, log);
      // Recorded: a failed job without the retries its attempts would allow.
      if (refused) throw new UnrecoverableError(`the engine refused the submission: ${message}`);
      return null;
    }
  }

  /** Writes the result once, the final status, and the webhook deliveries; then announces it. */
  private async afterResult(
    sub: Submission,
    result: Result,
    status: FinishedStatus,
    gradingMs: number | null,
    error: string | null,
    log: Logger,
  ): Promise<void> {
    const event: WebhookEvent = status === 'completed' ? 'submission.completed' : 'submission.failed';
    const deliveryIds = await inTransaction(this.deps.pool, async (client) => {
      const stored = await finishSubmission(client, sub.id, status, result, gradingMs, error);
      if (!stored.wrote) log.info('result already written by an earlier delivery of this job: kept it');
      const payload = {
        type: event,
        timestamp: new Date().toISOString(),
        data: {
          id: sub.id,
          status: stored.status,
          problemId: sub.problemId,
          problemVersion: sub.problemVersion,
          language: sub.language,
          result: stored.result,
        },
      };
      return createDeliveries(client, sub.id, event, payload);
    });
    await enqueueDeliveries(this.deps.queues, this.deps.config, deliveryIds);
    await this.publish(sub.id, { type: 'status', status });
  }

  /**
   * Stops taking jobs and waits for running gradings up to `timeoutMs`; past it, aborts them
   * (the engine removes their containers) and leaves their jobs to be picked up again as stalled.
   */
  async close(timeoutMs = this.deps.config.worker.shutdownTimeoutMs): Promise<void> {
    this.sandbox.stop();
    const graceful = this.worker.close();
    const timedOut = await Promise.race([
      graceful.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref()),
    ]);
    if (timedOut) {
      this.deps.logger.warn(
        { inflight: [...this.inflight.keys()] },
        `gradings still running after ${timeoutMs} ms: aborting them; their jobs will run again`,
      );
      for (const ac of this.inflight.values()) ac.abort();
      await this.worker.close(true);
    }
  }
}

function internalErrorResult(sub: Submission, message: string): Result {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    verdict: 'internal_error',
    score: 0,
    summary: `Grading failed on our side (${message}); this is not the candidate's fault — resubmit or contact support.`,
    problem: { id: sub.problemId, version: sub.problemVersion },
    language: sub.language,
    suites: [],
    latency: [],
    complexity: [],
    staticHints: [],
    compile: { ok: false, diagnostics: [] },
    resources: { cpuMs: 0, peakMemoryBytes: 0, wallMs: 0 },
    output: { stdout: '', stderr: '', truncated: false },
    timings: { queuedAt: sub.createdAt.toISOString(), startedAt: (sub.startedAt ?? new Date()).toISOString(), finishedAt: now },
    graderVersion: GRADER_PLATFORM_VERSION,
  };
}
