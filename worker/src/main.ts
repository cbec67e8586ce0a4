/**
 * A standalone worker process (`npm run worker`, or the `worker` service of docker-compose):
 * consumes the grading and webhook queues; stateless, so run as many as there are Docker hosts
 * (or cores) to spare. SIGTERM/SIGINT: stop taking jobs, let running gradings finish (up to
 * SHUTDOWN_TIMEOUT_MS), then exit.
 */
import http from 'node:http';
import { Redis } from 'ioredis';
import { loadConfig, syncProblems, migrate, createPool, createLogger, metricsRegistry, createQueues } from '@assay/platform';
import { createGradingEngine } from './createEngine';
import { sandboxReady, startWorkers } from './startWorkers';

const config = loadConfig();
const logger = createLogger(config, 'worker');

async function main(): Promise<void> {
  await migrate(config.databaseUrl, logger);
  const pool = createPool(config);
  await syncProblems(pool, logger);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => logger.warn({ err }, `redis: ${err.message}`));
  const queues = createQueues(config, 'worker');
  const engine = await createGradingEngine(config, logger);
  const workers = await startWorkers({ config, pool, redis, queues, engine, logger });

  let server: http.Server | undefined;
  if (config.worker.metricsPort) {
    server = http
      .createServer(async (req, res) => {
        if (req.url === '/metrics') {
          res.setHeader('content-type', metricsRegistry.contentType);
          res.end(await metricsRegistry.metrics());
        } else if (req.url === '/healthz') res.end('{"status":"ok"}');
        else if (req.url === '/readyz')
          sandboxReady(workers).then(
            () => res.end('{"status":"ready"}'),
            (err: Error) => res.writeHead(503).end(JSON.stringify({ status: 'unready', detail: err.message })),
          );
        else res.writeHead(404).end();
      })
      .listen(config.worker.metricsPort, config.http.host);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `stopping: finishing running gradings (up to ${config.worker.shutdownTimeoutMs} ms)`);
    const hard = setTimeout(() => {
      logger.error('shutdown overran its timeout: exiting now; unfinished jobs will be picked up again');
      process.exit(1);
    }, config.worker.shutdownTimeoutMs + 10_000);
    hard.unref();
    await workers.close();
    server?.close();
    await Promise.allSettled([queues.close(), engine.close(), redis.quit(), pool.end()]);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  logger.fatal({ err }, `worker failed to start: ${(err as Error).message}`);
  process.exit(1);
});
