import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger, createPool, createQueues, migrate, type Config, type Pool } from '@assay/platform';
import { createApp } from './app';
import { answerParserErrors } from './clientError';
import type { ApiContext } from './context';
import { ProblemCatalogue } from '@assay/platform';
import { ProgressHub } from './ProgressHub';

/** A grading worker running inside the API process (`RUN_WORKER`); the process entry supplies it. */
export interface EmbeddedWorker {
  /** Docker's health, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
export type StartEmbeddedWorker = (deps: { config: Config; pool: Pool; redis: Redis; logger: Logger }) => Promise<EmbeddedWorker>;

export interface StartServerOptions {
  config: Config;
  logger?: Logger;
  /** Started when `config.worker.embedded`. */
  startWorker?: StartEmbeddedWorker;
}

export interface RunningServer {
  url: string;
  server: Server;
  ctx: ApiContext;
  worker: EmbeddedWorker | undefined;
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
    throw new Error(
      `Redis is not reachable at ${config.redisUrl} (${(e as Error).message}): start it with \`bash scripts/services.sh\` or set REDIS_URL`,
    );
  }
  const queues = createQueues(config, 'producer');
  const problems = await ProblemCatalogue.load(pool, config, logger);
  const hub = new ProgressHub(redis, config.queuePrefix);

  const worker = config.worker.embedded && opts.startWorker ? await opts.startWorker({ config, pool, redis, logger }) : undefined;
  const ctx: ApiContext = { config, pool, redis, queues, logger, problems, hub, ...(worker ? { dockerPing: () => worker.ping() } : {}) };
  const app = createApp(ctx);
  // Node would answer a missing Host with a bare 400; the app answers it as problem+json (app.ts).
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer({ requireHostHeader: false }, app);
    s.once('error', reject);
    s.listen(config.http.port, config.http.host, () => {
      s.off('error', reject);
      resolve(s);
    });
  }).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'EADDRINUSE'
        ? `port ${config.http.port} on ${config.http.host} is in use: stop what listens there or set PORT`
        : `cannot listen on ${config.http.host}:${config.http.port}: ${e.message}`,
    );
  });
  server.keepAliveTimeout = 65_000;
  answerParserErrors(server);
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url, embeddedWorker: Boolean(worker) }, `API listening on ${url} (docs at ${url}/docs)`);

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    ctx,
    worker,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        // Open SSE streams end when the process stops; clients reconnect with Last-Event-ID.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
        await worker?.close();
        await closed;
        await Promise.allSettled([queues.close(), hub.close()]);
        await Promise.allSettled([redis.quit(), pool.end()]);
      })();
      return closing;
    },
  };
}
