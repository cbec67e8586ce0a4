/**
 * Keeps the two sides of a latency benchmark apart: only the side being measured runs. Before
 * one side's turn the other is paused — every process and thread of its uid stopped and checked,
 * so CPU hogs in worker threads or detached processes cannot slow the side being timed — and,
 * for the reference, its connections checked to be the driver's alone.
 */
import type { Session } from './Session';

export class Turns {
  private active: Session | undefined;

  constructor(
    private readonly candidate: Session,
    private readonly reference: Session,
  ) {}

  /** Gives `side` the turn; throws SubjectGoneError when it (or, paused, the other) died. */
  async to(side: Session): Promise<void> {
    if (this.active === side) return;
    this.active = undefined;
    await (side === this.candidate ? this.reference : this.candidate).pause();
    await side.resume();
    this.active = side;
  }

  /** After the benchmark: the candidate runs again, the reference stays paused. */
  async end(): Promise<void> {
    this.active = undefined;
    await this.reference.pause();
    await this.candidate.resume().catch(() => undefined);
  }
}
