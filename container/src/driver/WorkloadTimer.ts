/**
 * Times a problem's workload in a subject process from the driver side: the subject only runs
 * prepared batches of calls; the clock is the driver's, so candidate code cannot fake its speed.
 */
import type { RemoteObject, Workload } from '@assay/sdk';
import type { SubjectProcess } from './SubjectProcess';

/** A built workload: the structure and its measured batch, ready to time. */
export interface BuiltWorkload {
  instance: RemoteObject | null;
  batch: number;
  /** Time the setup batches took, without run-queue waits. */
  setupMs: number;
}

const TARGET_BATCH_NS = 2_000_000;
const MAX_COUNT = 1 << 22;

export class WorkloadTimer {
  private rttNs = 0;

  constructor(readonly subject: SubjectProcess) {}

  /** Constructs the structure, runs every setup batch in order, prepares the measured batch. */
  async build(w: Workload): Promise<BuiltWorkload> {
    let setupNs = 0;
    const instance = w.construct ? await this.subject.construct(w.construct.className, ...w.construct.args) : null;
    for (const step of w.setup) {
      if (step.argsList.length === 0) continue;
      const id = await this.subject.prepare(instance, step.method, step.argsList);
      setupNs += await this.subject.runBatch(id, step.argsList.length);
      await this.subject.release(null, [id]);
    }
    const batch = await this.subject.prepare(instance, w.measure.method, w.measure.argsList);
    return { instance, batch, setupMs: setupNs / 1e6 };
  }

  async release(b: BuiltWorkload): Promise<void> {
    await this.subject.release(b.instance, [b.batch]);
  }

  /** The fixed cost of one `run` round trip, subtracted from every timing. */
  async measureRoundTrip(b: BuiltWorkload): Promise<number> {
    let best = Infinity;
    for (let i = 0; i < 15; i++) best = Math.min(best, await this.subject.runBatch(b.batch, 0));
    this.rttNs = best;
    return best;
  }

  /**
   * Calls per batch so that one batch takes about `targetNs` (the measured calls run for real).
   * Each step keeps the fastest of three batches: one batch slowed by a preemption must not end
   * the calibration at a count whose batches are all round-trip noise.
   */
  async calibrate(b: BuiltWorkload, targetNs = TARGET_BATCH_NS): Promise<number> {
    let count = 1;
    for (;;) {
      let ns = Infinity;
      for (let i = 0; i < 3; i++) ns = Math.min(ns, await this.timeBatch(b, count));
      if (ns * count >= targetNs || count >= MAX_COUNT) return count;
      const grow = ns > 0 ? Math.ceil(targetNs / (ns * count)) : 8;
      count = Math.min(MAX_COUNT, count * Math.min(8, Math.max(2, grow)));
    }
  }

  /** Nanoseconds per call for one batch of `count` calls. */
  async timeBatch(b: BuiltWorkload, count: number): Promise<number> {
    const ns = await this.subject.runBatch(b.batch, count);
    return Math.max(ns - this.rttNs, 1) / count;
  }

  /**
   * Minimum ns/call over `rounds` batches: a full GC first (the setup's garbage), then a
   * young-generation GC before each batch (the previous batch's garbage) — cheap, and enough.
   */
  async minOfRounds(b: BuiltWorkload, count: number, rounds: number): Promise<number> {
    await this.subject.gc('full');
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      await this.subject.gc('minor');
      best = Math.min(best, await this.timeBatch(b, count));
    }
    return best;
  }
}
