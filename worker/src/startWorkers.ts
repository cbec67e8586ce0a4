import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createQueues, type Config, type Pool, type Queues } from '@assay/platform';
import type { GradingEngine } from './engine';
import { GradingWorker } from './GradingWorker';
import { JobHealer } from './JobHealer';
import { WebhookWorker } from './WebhookWorker';

const REAP_EVERY_MS = 60_000;

export interface RunningWorkers {
  grading: GradingWorker;
  webhooks: WebhookWorker;
  healer: JobHealer;
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the grading and webhook consumers. Call after the engine reaped leftover containers.
 * Also re-enqueues submissions whose job is missing, now and every WORKER_HEAL_INTERVAL_MS.
 */
export async function startWorkers(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  queues: Queues;
  engine: GradingEngine;
  logger: Logger;
}): Promise<RunningWorkers> {
  const grading = new GradingWorker(deps);
  const webhooks = new WebhookWorker(deps);
  grading.start();
  webhooks.start();
  const healer = new JobHealer(deps);
  const healed = await healer.heal();
  if (healed) deps.logger.info({ count: healed }, 're-enqueued submissions left queued or running without a live job');
  healer.start();
  // A sibling worker on this Docker host that dies leaves its containers; sweep them now and then
  // (the engine removes only containers whose owning process is gone, or that outlived any grading).
  const reaper = setInterval(() => {
    deps.engine
      .reapOrphans()
      .then((n) => n && deps.logger.info({ removed: n }, 'removed sandbox containers left by a dead worker'))
      .catch((err: Error) => deps.logger.warn({ err }, `could not sweep leftover containers: ${err.message}`));
  }, REAP_EVERY_MS);
  reaper.unref();
  deps.logger.info({ concurrency: deps.config.worker.concurrency, prefix: deps.config.queuePrefix }, 'workers started');
  return {
    grading,
    webhooks,
    healer,
    async close(timeoutMs) {
      clearInterval(reaper);
      healer.stop();
      await Promise.all([grading.close(timeoutMs), webhooks.close(timeoutMs)]);
    },
  };
}

/**
 * The grading and webhook consumers for a process that also serves the API (`RUN_WORKER`): its own
 * worker-side queue connections, and an engine made on start; closing stops all three.
 */
export async function startEmbeddedWorker(
  deps: { config: Config; pool: Pool; redis: Redis; logger: Logger },
  createEngine: () => Promise<GradingEngine>,
): Promise<{ ping(): Promise<void>; close(): Promise<void> }> {
  const engine = await createEngine();
  const queues = createQueues(deps.config, 'worker');
  const workers = await startWorkers({ ...deps, queues, engine });
  return {
    // For /readyz: unready while grading is paused for the engine or the runner image.
    ping: () => sandboxReady(workers),
    async close() {
      await workers.close();
      await Promise.allSettled([queues.close(), engine.close()]);
    },
  };
}

/** Rejects, saying why, while the grading worker is paused for the sandbox. */
export async function sandboxReady(workers: RunningWorkers): Promise<void> {
  const state = workers.grading.sandbox.current();
  if (!state.available)
    throw new Error(
      `grading paused since ${new Date(state.since ?? Date.now()).toISOString()}: ${state.detail ?? 'the sandbox is unavailable'}`,
    );
}
