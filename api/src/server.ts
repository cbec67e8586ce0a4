import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@assay/schema';
import { createLogger, createPool, createQueues, migrate, startWorkers, type GradingEngine, type RunningWorkers } from '@assay/worker';
import { createApp } from './app';
import type { ApiContext } from './context';
import { ProblemCatalogue } from './ProblemCatalogue';
import { ProgressHub } from './ProgressHub';

export interface StartServerOptions {
  config: Config;
  logger?: Logger;
  /** The grading engine for the embedded worker (when `config.worker.embedded`); a factory is called once. */
  engine?: GradingEngine | (() => Promise<GradingEngine>);
}

export interface RunningServer {
  url: string;
  server: Server;
  ctx: ApiContext;
  workers: RunningWorkers | undefined;
  close(): Promise<void>;
}

/** Migrates, loads the problems, connects Redis and the queues, optionally starts a worker, and listens. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config, 'api');
  await migrate(config.databaseUrl, logger);
  const pool = createPool(config);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  redis.on('error', (err) => logger.warn({ err }, `redis: ${err.message}`));
  try {
    await redis.ping();
  } catch (e) {
    await pool.end();
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${config.redisUrl} (${(e as Error).message}): start it with \`bash scripts/services.sh\` or set REDIS_URL`);
  }
  const queues = createQueues(config, 'producer');
  const problems = await ProblemCatalogue.load(pool, config, logger);
  const hub = new ProgressHub(redis, config.queuePrefix);

  let engine: GradingEngine | undefined;
  let workers: RunningWorkers | undefined;
  let workerQueues: ReturnType<typeof createQueues> | undefined;
  if (config.worker.embedded && opts.engine) {
    engine = typeof opts.engine === 'function' ? await opts.engine() : opts.engine;
    workerQueues = createQueues(config, 'worker');
    workers = await startWorkers({ config, pool, redis, queues: workerQueues, engine, logger });
  }
  const ctx: ApiContext = { config, pool, redis, queues, logger, problems, hub, ...(engine ? { dockerPing: () => engine.ping() } : {}) };
  const app = createApp(ctx);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  }).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'EADDRINUSE' ? `port ${config.http.port} on ${config.http.host} is in use: stop what listens there or set PORT` : `cannot listen on ${config.http.host}:${config.http.port}: ${e.message}`,
    );
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url, embeddedWorker: Boolean(workers) }, `API listening on ${url} (docs at ${url}/docs)`);

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    ctx,
    workers,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        // Open SSE streams end when the process stops; clients reconnect with Last-Event-ID.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
        await workers?.close();
        await closed;
        await Promise.allSettled([queues.close(), workerQueues?.close(), hub.close(), engine?.close()]);
        await Promise.allSettled([redis.quit(), pool.end()]);
      })();
      return closing;
    },
  };
}
