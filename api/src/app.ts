import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { SUBMISSION_LIMITS } from '@assay/contracts';
import { authenticate } from './auth';
import type { ApiContext } from './context';
import { DependencyProbe } from './DependencyProbe';
import { requireHost } from './routing';
import { errorHandler, notFoundHandler } from './errors';
import { httpMetricsMiddleware, registerQueueMetrics } from './httpMetrics';
import { ADMIN_BASE, adminRouter } from './routes/admin';
import { docsRouter } from './routes/docs';
import { healthRouter } from './routes/health';
import { problemsRouter } from './routes/problems';
import { submissionsRouter } from './routes/submissions';
import { webRouter } from './routes/web';
import { webhooksRouter } from './routes/webhooks';

/** JSON escaping can double a file's size; anything past this cannot pass the file limits anyway. */
const BODY_LIMIT = SUBMISSION_LIMITS.maxTotalBytes * 2 + 64 * 1024;

export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.http.trustProxy === 'false' ? false : ctx.config.http.trustProxy);
  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
    }),
  );
  app.use(requireHost);
  app.use(httpMetricsMiddleware);
  registerQueueMetrics(ctx);
  // bull-board's UI needs its own scripts and styles: it gets a relaxed policy behind basic auth.
  app.use(ADMIN_BASE, helmet({ contentSecurityPolicy: false }));
  app.use(helmet());
  app.use(adminRouter(ctx));
  app.use(express.json({ limit: BODY_LIMIT, strict: false }));
  app.use(healthRouter(ctx));
  app.use(webRouter()); // the web page built into web/dist/: /, /problems/:id, /dashboard, /submissions/:id, /assets/*
  app.use(docsRouter());
  app.use(authenticate(ctx));
  app.use(problemsRouter(ctx));
  app.use(submissionsRouter(ctx));
  app.use(webhooksRouter(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(new DependencyProbe(ctx.pool, ctx.redis)));
  return app;
}
