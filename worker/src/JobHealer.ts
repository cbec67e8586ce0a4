/**
 * Re-enqueues submissions left queued or running without a live job (Redis lost it, an enqueue
 * failed, a failure could not be recorded), at start and then periodically, not only when a
 * process starts. A job that is waiting, delayed or active is left as it is.
 */
import type { Logger } from 'pino';
import { ensureGradingJob, gradingHealed, strandedSubmissions, type Config, type Pool, type Queues } from '@assay/platform';

export class JobHealer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: { config: Config; pool: Pool; queues: Queues; logger: Logger }) {}

  start(): void {
    this.timer ??= setInterval(() => void this.heal().catch(() => {}), this.deps.config.worker.healIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Returns how many submissions got a new job. */
  heal(): Promise<number> {
    this.running ??= this.healOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async healOnce(): Promise<number> {
    const { config, pool, queues, logger } = this.deps;
    let ids: string[];
    try {
      ids = await strandedSubmissions(pool, config.worker.healAfterS);
    } catch (err) {
      logger.warn({ err }, `could not look for submissions without a job: ${(err as Error).message}`);
      return 0;
    }
    let healed = 0;
    for (const id of ids) {
      try {
        if (await ensureGradingJob(queues, config, id, 10_000)) {
          healed++;
          gradingHealed.inc();
          logger.warn({ submissionId: id }, 'submission had no live grading job: enqueued it again');
        }
      } catch (err) {
        logger.warn({ submissionId: id, err }, `could not check the submission's job: ${(err as Error).message}`);
        break; // Redis is away: the next round tries again.
      }
    }
    return healed;
  }
}
