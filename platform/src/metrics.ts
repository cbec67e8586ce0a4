import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process: the API's /metrics and a standalone worker's both serve it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'assay_' });

export const gradingDuration = new Histogram({
  name: 'assay_grading_duration_seconds',
  help: 'Wall time of one grading (sandbox run), by verdict',
  labelNames: ['verdict'] as const,
  buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  registers: [metricsRegistry],
});

export const webhookAttempts = new Counter({
  name: 'assay_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const sandboxAvailable = new Gauge({
  name: 'assay_sandbox_available',
  help: '1 while the Docker engine answers and holds the runner image; 0 while the grading worker is paused for it',
  registers: [metricsRegistry],
});

export const sandboxOutages = new Counter({
  name: 'assay_sandbox_outages_total',
  help: 'Times the grading worker paused because the Docker engine or the runner image was unavailable',
  registers: [metricsRegistry],
});

export const gradingRequeues = new Counter({
  name: 'assay_grading_requeues_total',
  help: 'Grading jobs put back without spending an attempt, by reason (sandbox, services)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const gradingHealed = new Counter({
  name: 'assay_grading_healed_total',
  help: 'Submissions left queued or running without a live job that were enqueued again',
  registers: [metricsRegistry],
});
