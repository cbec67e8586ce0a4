/**
 * Times a problem's workload in a subject process from the driver side: the subject only runs
 * prepared batches of calls and answers a digest of their results; the clock is the driver's,
 * and nothing the subject reports about itself is subtracted from a timing.
 *
 * What a batch is charged (`charge`): its round trip on the driver's clock, less the time the
 * subject's main thread sat runnable waiting for a CPU and the driver's own delays (load
 * elsewhere on the machine), but never less than the main thread's own CPU time; plus, averaged
 * over the batches of a measurement (the kernel updates a running thread's figure only every few
 * milliseconds), the CPU time of every other thread and process of the subject's uid during its
 * batches and in the idle gaps between them, and the read-back at the end. Work moved to worker
 * threads, child processes or timers that run after a batch answered therefore costs time
 * instead of hiding, and a subject loading the machine with its own threads cannot discount its
 * main thread's time. GC requests between batches are not charged.
 */
import type { CallBatch, RemoteObject, Workload } from '@assay/sdk';
import type { SubjectProcess } from './SubjectProcess';
import { cpuBetween, type CpuSnapshot } from './TaskCpu';

/** One timed batch: what it was charged and what the subject answered. */
export interface TimedBatch {
  count: number;
  /** Charged nanoseconds, before the background CPU of the measurement is added. */
  ns: number;
  /** The batch's digest, then one per read-back batch. */
  digests: number[];
  /** The read-back at the end (`Workload.verifyAtEnd`): no measured calls. */
  end?: true;
}

/** A built workload: the structure, its measured batch and read-back, ready to time. */
export interface BuiltWorkload {
  instance: RemoteObject | null;
  measure: number;
  /** Read-back batches run after each timed batch, with the calls each runs. */
  verify: [number, number][];
  /** Read-back batches run once, after the last timed batch (`finish`). */
  atEnd: [number, number][];
  /** Charged time the setup batches took (their other threads' CPU included). */
  setupNs: number;
  /** Every timed batch run on this structure, in order: what the reference replays. */
  schedule: TimedBatch[];
}

const TARGET_BATCH_NS = 2_000_000;
const MAX_COUNT = 1 << 22;
/** A timed batch may take this long however fast it was expected to be (machine load, a GC). */
export const BATCH_TIMEOUT_FLOOR_MS = 4000;
/** ...and this many times what calibration measured. */
const BATCH_TIMEOUT_FACTOR = 20;

export class WorkloadTimer {
  /** CPU nanoseconds charged beside the batches' own round trips since the timer started. */
  background = 0;
  private lastAfter: CpuSnapshot | undefined;
  private lastNsPerCall = 0;

  constructor(
    readonly subject: SubjectProcess,
    /** performance.now() after which no batch may still be running. */
    private readonly deadline: number,
    /** false: only the digests matter (a replay), nothing is accounted. */
    private readonly timed = true,
  ) {}

  /** Constructs the structure, runs every setup batch in order, prepares the measured batches. */
  async build(w: Workload, setupTimeoutMs: number): Promise<BuiltWorkload> {
    this.pause();
    let setupNs = 0;
    const instance = w.construct ? await this.subject.construct(w.construct.className, ...w.construct.args) : null;
    for (const step of w.setup) {
      const calls = step.calls ?? step.argsList.length;
      if (step.argsList.length === 0 || calls === 0) continue;
      const id = await this.prepare(instance, step, 'open');
      const run = await this.subject.runBatch(id, calls, this.withinDeadline(setupTimeoutMs), [], this.timed);
      setupNs += charge(run) + run.otherCpuNs;
      await this.subject.release(null, [id]);
    }
    const measure = await this.prepare(instance, w.measure, 'reference');
    const readBacks = async (batches: CallBatch[] = []) => {
      const out: [number, number][] = [];
      for (const v of batches)
        out.push([await this.prepare(instance, v, 'reference'), v.echo?.back.length ?? v.calls ?? v.argsList.length]);
      return out;
    };
    return { instance, measure, verify: await readBacks(w.verify), atEnd: await readBacks(w.verifyAtEnd), setupNs, schedule: [] };
  }

  private prepare(instance: RemoteObject | null, batch: CallBatch, byDefault: 'reference' | 'open'): Promise<number> {
    const { advance, echo, read, compare, chain } = batch;
    const hash = (batch.results ?? byDefault) !== 'open';
    if (batch.argsList.length === 0 && !echo) throw new Error(`the workload's \`${batch.method}\` batch has no calls`);
    return this.subject.prepare(instance, batch.method, batch.argsList, {
      hash,
      ...(advance ? { advance } : {}),
      ...(echo ? { echo } : {}),
      ...(read ? { read } : {}),
      ...(compare !== undefined ? { pick: compare } : {}),
      ...(chain ? { chain } : {}),
    });
  }

  async release(b: BuiltWorkload): Promise<void> {
    this.pause();
    await this.subject.release(b.instance, [b.measure, ...[...b.verify, ...b.atEnd].map(([id]) => id)]);
  }

  /** Something other than timed batches runs next: the gap until the next batch is not charged. */
  pause(): void {
    this.lastAfter = undefined;
  }

  /** A GC before a sample: the gap since the last batch is charged, the collection is not. */
  async gc(type: 'full' | 'minor'): Promise<void> {
    if (this.timed) this.chargeGap(this.subject.cpu.snapshot());
    this.lastAfter = undefined;
    await this.subject.gc(type);
  }

  private chargeGap(now: CpuSnapshot): void {
    if (this.lastAfter && this.timed) this.background += cpuBetween(this.lastAfter, now, this.subject.pid, true);
  }

  /** A timeout for a batch expected to take `expectedMs`: generous, and within the deadline. */
  private timeout(expectedMs: number): number {
    return this.withinDeadline(Math.max(BATCH_TIMEOUT_FLOOR_MS, BATCH_TIMEOUT_FACTOR * expectedMs));
  }

  private withinDeadline(ms: number): number {
    return Math.max(1000, Math.min(ms, this.deadline - performance.now()));
  }

  /** What a call is known to cost (from an earlier measurement): the next batch's timeout follows it. */
  expectNsPerCall(ns: number): void {
    this.lastNsPerCall = Math.max(this.lastNsPerCall, ns);
  }

  /** One timed batch of `count` calls, then the read-back. Rejects with BatchTimeoutError when stuck. */
  async run(b: BuiltWorkload, count: number): Promise<TimedBatch> {
    const expectedMs = (this.lastNsPerCall * count) / 1e6;
    const r = await this.subject.runBatch(b.measure, count, this.timeout(expectedMs), b.verify, this.timed);
    this.chargeGap(r.before);
    this.background += r.otherCpuNs;
    this.lastAfter = r.after;
    const batch: TimedBatch = { count, ns: charge(r), digests: r.digests };
    b.schedule.push(batch);
    this.lastNsPerCall = Math.max(this.lastNsPerCall * 0.5, batch.ns / count);
    return batch;
  }

  /**
   * The read-back at the end, if the workload has one: timed like a batch, and charged (spread
   * over the measurement's calls), so work a candidate deferred to it is paid for.
   */
  async finish(b: BuiltWorkload): Promise<void> {
    if (b.atEnd.length === 0) return;
    const r = await this.subject.runBatch(b.measure, 0, this.timeout(0), b.atEnd, this.timed);
    this.chargeGap(r.before);
    this.background += r.otherCpuNs + (this.timed ? charge(r) : 0);
    this.lastAfter = r.after;
    b.schedule.push({ count: 0, ns: 0, digests: r.digests, end: true });
  }

  /**
   * Calls per batch so that one batch takes about `targetNs` (the measured calls run for real).
   * Each step keeps the fastest of two batches, and the count that reaches the target is
   * confirmed: one batch slowed by a preemption must not end the calibration at a count whose
   * batches are all round-trip noise.
   */
  async calibrate(b: BuiltWorkload, targetNs = TARGET_BATCH_NS, maxCount = MAX_COUNT): Promise<number> {
    let count = 1;
    for (;;) {
      let ns = Infinity;
      for (let i = 0; i < 2; i++) ns = Math.min(ns, (await this.run(b, count)).ns);
      if (count >= maxCount) return count;
      if (ns >= targetNs) {
        // Confirmed once: a GC or a stall in those batches must not end the calibration early.
        for (let i = 0; i < 2; i++) ns = Math.min(ns, (await this.run(b, count)).ns);
        if (ns >= targetNs / 2) return count;
      }
      // One-call batches are mostly round trip: growing by up to 32× per step still lands near the target.
      const grow = ns > 0 ? Math.ceil(targetNs / ns) : 8;
      count = Math.min(maxCount, count * Math.min(32, Math.max(2, grow)));
    }
  }

  /**
   * Minimum ns/call over `rounds` batches, plus the background CPU of those batches per call: a
   * full GC first (the setup's garbage; `fullGc: false` when the caller just ran one), then a
   * young-generation GC before each batch (the previous batch's garbage) — cheap, and enough.
   */
  async minOfRounds(b: BuiltWorkload, count: number, rounds: number, fullGc = true): Promise<number> {
    if (fullGc) await this.gc('full');
    const background = this.background;
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      await this.gc('minor');
      best = Math.min(best, (await this.run(b, count)).ns / count);
    }
    // The read-back at the end, and the gap after it (deferred work), are charged too.
    await this.finish(b);
    if (this.timed) this.chargeGap(this.subject.cpu.snapshot());
    this.lastAfter = undefined;
    return best + (this.background - background) / (count * rounds);
  }
}

/**
 * A round trip less the time the subject's main thread sat runnable waiting for a CPU and the
 * time the driver itself was busy or waiting meanwhile, but never less than the subject main
 * thread's own CPU time: waits can overlap or be accounted late (a thread preempted after it
 * answered is charged when it next runs), and must not make a batch cheaper than the work it did,
 * since the minimum over rounds would keep that batch.
 */
function charge(r: { elapsedNs: number; mainWaitNs: number; mainExecNs: number; driverNs: number }): number {
  return Math.max(1, r.elapsedNs - r.mainWaitNs - r.driverNs, r.mainExecNs);
}

export { TARGET_BATCH_NS };
