/**
 * `npm start` runs this (after scripts/start.sh brought the services up): the API, and unless
 * RUN_WORKER=false, a grading worker in the same process. SIGTERM/SIGINT shut down gracefully.
 */
import { loadConfig, createLogger } from '@assay/platform';
import { createGradingEngine, startEmbeddedWorker } from '@assay/worker';
import { startServer } from './server';

const config = loadConfig();
const logger = createLogger(config, 'api');
if (config.webhooks.secretsKeyIsDevDefault)
  logger.warn('SECRETS_KEY is not set: webhook secrets are sealed with the development key (scripts/start.sh sets one in .assay/env)');

try {
  const running = await startServer({
    config,
    logger,
    startWorker: (deps) => startEmbeddedWorker(deps, () => createGradingEngine(config, logger)),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `stopping: finishing running gradings (up to ${config.worker.shutdownTimeoutMs} ms)`);
    setTimeout(() => {
      logger.error('shutdown overran its timeout: exiting now; unfinished jobs will be picked up again');
      process.exit(1);
    }, config.worker.shutdownTimeoutMs + 10_000).unref();
    await running.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  logger.fatal({ err }, `failed to start: ${(err as Error).message}`);
  process.exit(1);
}
