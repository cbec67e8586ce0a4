/**
 * Watches the Docker engine and the runner image for the grading worker: while either is
 * unavailable the worker is paused (it takes no job, so no submission spends an attempt on an
 * engine that cannot run it), and it resumes by itself once the engine answers again, after
 * removing the containers the outage left behind.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { sandboxAvailable, sandboxOutages } from '@assay/platform';
import type { GradingEngine } from './engine';

export interface SandboxState {
  available: boolean;
  /** Why it is unavailable. */
  detail?: string;
  /** When the current outage began (ms since the epoch). */
  since?: number;
}

export class SandboxMonitor {
  private state: SandboxState = { available: true };
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  /** While unavailable: since when every check found the engine answering. */
  private answeringSince: number | undefined;

  constructor(
    private readonly engine: GradingEngine,
    private readonly worker: Worker,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    sandboxAvailable.set(1);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  current(): SandboxState {
    return this.state;
  }

  /** Checks now (one check at a time); a grading that hit the engine failing calls it at once. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    try {
      await (this.engine.checkSandbox ? this.engine.checkSandbox() : this.engine.ping());
    } catch (err) {
      const detail = (err as Error).message;
      this.answeringSince = undefined;
      if (this.state.available) {
        this.state = { available: false, detail, since: Date.now() };
        sandboxAvailable.set(0);
        sandboxOutages.inc();
        // Not waiting for running gradings: they fail on the same engine and are put back.
        await this.worker.pause(true);
        this.logger.error({ err }, `sandbox unavailable: grading paused until the engine answers (${detail})`);
      } else this.state = { ...this.state, detail };
      return;
    }
    if (this.state.available) return;
    // An engine shutting down answers now and then; resume once it has answered for a whole interval.
    this.answeringSince ??= Date.now();
    if (Date.now() - this.answeringSince < this.intervalMs) return;
    this.answeringSince = undefined;
    const outageMs = Date.now() - (this.state.since ?? Date.now());
    const removed = await (this.engine.sweepAfterOutage ? this.engine.sweepAfterOutage() : this.engine.reapOrphans()).catch(
      (err: Error) => {
        this.logger.warn({ err }, `could not remove the containers the outage left: ${err.message}`);
        return 0;
      },
    );
    this.state = { available: true };
    sandboxAvailable.set(1);
    await this.worker.resume();
    this.logger.info({ outageMs, removedContainers: removed }, `sandbox available again after ${outageMs} ms: grading resumed`);
  }
}
