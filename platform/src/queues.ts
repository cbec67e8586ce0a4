import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Config } from './config';

export const GRADING_QUEUE = 'grading';
export const WEBHOOK_QUEUE = 'webhooks';

export interface GradingJobData {
  submissionId: string;
}
export interface WebhookJobData {
  deliveryId: string;
}

/**
 * BullMQ connection options. Workers need `maxRetriesPerRequest: null` (blocking commands must
 * wait out a Redis restart); producers answering HTTP requests should fail fast instead.
 */
export function redisConnection(config: Pick<Config, 'redisUrl'>, role: 'worker' | 'producer'): ConnectionOptions {
  return role === 'worker'
    ? { url: config.redisUrl, maxRetriesPerRequest: null }
    : { url: config.redisUrl, maxRetriesPerRequest: 2, enableOfflineQueue: false, connectTimeout: 5_000 };
}

export function gradingJobOptions(config: Pick<Config, 'worker'>, submissionId: string): JobsOptions {
  return {
    jobId: submissionId,
    attempts: config.worker.gradingAttempts,
    backoff: { type: 'exponential', delay: config.worker.gradingBackoffMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export function webhookJobOptions(config: Pick<Config, 'webhooks'>, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: config.webhooks.attempts,
    backoff: { type: 'exponential', delay: config.webhooks.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export interface Queues {
  grading: Queue<GradingJobData>;
  webhooks: Queue<WebhookJobData>;
  close(): Promise<void>;
}

export function createQueues(config: Pick<Config, 'redisUrl' | 'queuePrefix'>, role: 'worker' | 'producer' = 'producer'): Queues {
  const connection = redisConnection(config, role);
  const grading = new Queue<GradingJobData>(GRADING_QUEUE, { connection, prefix: config.queuePrefix });
  const webhooks = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection, prefix: config.queuePrefix });
  // Errors surface on the calls that fail; an 'error' event without a listener would crash the process.
  grading.on('error', () => {});
  webhooks.on('error', () => {});
  return {
    grading,
    webhooks,
    async close() {
      await Promise.allSettled([grading.close(), webhooks.close()]);
    },
  };
}

export async function enqueueGrading(queues: Queues, config: Pick<Config, 'worker'>, submissionId: string): Promise<void> {
  await queues.grading.add('grade', { submissionId }, gradingJobOptions(config, submissionId));
}

export async function enqueueDeliveries(
  queues: Queues,
  config: Pick<Config, 'webhooks'>,
  deliveryIds: string[],
  suffix = '',
): Promise<void> {
  if (!deliveryIds.length) return;
  await queues.webhooks.addBulk(
    deliveryIds.map((id) => ({ name: 'deliver', data: { deliveryId: id }, opts: webhookJobOptions(config, id + suffix) })),
  );
}

/**
 * Makes sure the submission has a live grading job: a waiting, delayed or active one is kept; a
 * finished one (completed or failed, e.g. before a re-grade) is replaced; a missing one is added.
 * Returns whether a job was added.
 */
export async function ensureGradingJob(
  queues: Queues,
  config: Pick<Config, 'worker'>,
  submissionId: string,
  /** Keep a job that finished less than this long ago (its worker may still be recording it). */
  finishedGraceMs = 0,
): Promise<boolean> {
  const job = await queues.grading.getJob(submissionId);
  if (job) {
    const state = await job.getState();
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
    if (job.finishedOn && job.finishedOn > Date.now() - finishedGraceMs) return false;
    await job.remove();
  }
  await enqueueGrading(queues, config, submissionId);
  return true;
}
