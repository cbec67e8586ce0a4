import { Grader } from '@assay/grader';
import type { Config } from '@assay/platform';
import type { Logger } from 'pino';
import type { GradingEngine } from './engine';

/** Connects to Docker, builds the runner image if missing, and reaps leftover sandbox containers. */
export async function createGradingEngine(config: Pick<Config, 'worker'>, logger: Logger): Promise<GradingEngine> {
  const started = Date.now();
  const grader = await Grader.create({
    logger: logger.child({ component: 'grader' }),
    dockerSocket: config.worker.dockerSocket,
    onImageBuild: (line) => logger.info({ component: 'runner-image' }, line),
  });
  logger.info({ ms: Date.now() - started }, 'grading engine ready (runner image present, leftover containers reaped)');
  return grader;
}
