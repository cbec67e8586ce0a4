/**
 * Delivers webhooks, one BullMQ job per attempt series: a non-2xx answer or a network error is
 * thrown so BullMQ retries with exponential backoff and jitter; every attempt is logged in
 * webhook_attempts. The `webhook-id` is the delivery id, the same on every attempt and replay.
 * An endpoint's deliveries are signed with its previous secret too while a rotation's grace period
 * lasts; they do not go out while it is disabled or deleted; an endpoint failing for
 * WEBHOOK_DISABLE_AFTER_S is disabled here.
 */
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  type Config,
  type Pool,
  abandonDelivery,
  getDeliveryToSend,
  noteEndpointOutcome,
  recordAttempt,
  webhookAttempts,
  redisConnection,
  WEBHOOK_QUEUE,
  type WebhookJobData,
  decryptSecret,
  sendWebhook,
  webhookHeaders,
} from '@assay/platform';

export interface WebhookWorkerDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
}

export class WebhookWorker {
  readonly worker: Worker<WebhookJobData>;

  constructor(private readonly deps: WebhookWorkerDeps) {
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job) => this.process(job), {
      connection: redisConnection(deps.config, 'worker'),
      prefix: deps.config.queuePrefix,
      concurrency: 16,
      autorun: false,
    });
    this.worker.on('error', (err) => deps.logger.error({ err }, `webhook worker: ${err.message}`));
  }

  start(): void {
    void this.worker.run().catch((err) => this.deps.logger.error({ err }, 'webhook worker stopped'));
  }

  private async process(job: Job<WebhookJobData>): Promise<{ statusCode: number | null }> {
    const { config, pool } = this.deps;
    const d = await getDeliveryToSend(pool, job.data.deliveryId);
    if (!d) return { statusCode: null };
    const log = this.deps.logger.child({ submissionId: d.submissionId, deliveryId: d.id });
    if (d.status !== 'pending') return { statusCode: null };
    if (d.endpointBlocked) {
      await abandonDelivery(pool, d.id, `not sent: ${d.endpointBlocked}`);
      log.info({ endpointId: d.endpointId }, `webhook not sent: ${d.endpointBlocked}`);
      return { statusCode: null };
    }
    if (!d.secretEnc) throw new Error(`delivery ${d.id} has no signing secret`);
    const secret = decryptSecret(config.webhooks.secretsKey, d.secretEnc);
    const previous = d.previousSecretEnc ? [decryptSecret(config.webhooks.secretsKey, d.previousSecretEnc)] : [];
    const body = JSON.stringify(d.payload);
    const headers = webhookHeaders(secret, d.id, body, Date.now(), previous);
    const out = await sendWebhook(d.url, { ...headers }, body, config.webhooks, config.webhooks.timeoutMs);
    const ok = out.error === null;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const attempt = await recordAttempt(pool, d.id, { ...out, outcome: ok ? 'succeeded' : last ? 'failed' : 'pending' });
    webhookAttempts.inc({ outcome: ok ? 'succeeded' : 'failed' });
    if (d.endpointId && (await noteEndpointOutcome(pool, d.endpointId, ok, config.webhooks.disableAfterS))) {
      log.warn(
        { endpointId: d.endpointId, url: d.url, disableAfterS: config.webhooks.disableAfterS },
        'webhook endpoint disabled automatically: every attempt has failed for longer than WEBHOOK_DISABLE_AFTER_S',
      );
      await abandonDelivery(pool, d.id, 'not sent again: the endpoint was disabled automatically after failing');
      return { statusCode: out.statusCode };
    }
    if (ok) {
      log.info({ url: d.url, statusCode: out.statusCode, attempt }, 'webhook delivered');
      return { statusCode: out.statusCode };
    }
    log.warn(
      { url: d.url, statusCode: out.statusCode, attempt, error: out.error },
      last ? 'webhook delivery failed for good' : 'webhook delivery failed: will retry',
    );
    throw new Error(`webhook to ${d.url} failed: ${out.error}`);
  }

  async close(timeoutMs = this.deps.config.worker.shutdownTimeoutMs): Promise<void> {
    const timedOut = await Promise.race([
      this.worker.close().then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref()),
    ]);
    if (timedOut) await this.worker.close(true);
  }
}
