import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
