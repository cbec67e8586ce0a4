import type { RequestHandler } from 'express';
import { Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@assay/platform';
import type { ApiContext } from './context';

export const httpDuration = new Histogram({
  name: 'assay_http_request_duration_seconds',
  help: 'HTTP request latency, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

/** Observes latency labelled by the matched route pattern (not the raw path, which would explode cardinality). */
export const httpMetricsMiddleware: RequestHandler = (req, res, next) => {
  if (req.path === '/metrics') return next();
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
};

const queueGauges = new WeakSet<ApiContext>();

/** Queue depth per queue and state, read from BullMQ when Prometheus scrapes. */
export function registerQueueMetrics(ctx: ApiContext): void {
  if (queueGauges.has(ctx)) return;
  queueGauges.add(ctx);
  metricsRegistry.removeSingleMetric('assay_queue_jobs');
  new Gauge({
    name: 'assay_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state',
    labelNames: ['queue', 'state'] as const,
    registers: [metricsRegistry],
    async collect() {
      for (const q of [ctx.queues.grading, ctx.queues.webhooks]) {
        const counts = await q
          .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized')
          .catch(() => ({}) as Record<string, number>);
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
      }
    },
  });
}
