/**
 * CPU time of everything a subject runs: every thread of every process of its uid, read from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU, nanoseconds runnable but waiting). The
 * timers charge a subject for all of it, so work on other threads or in child processes costs
 * time instead of hiding from a round trip timed on the main thread.
 *
 * A running thread's figure moves at scheduler ticks (every few milliseconds), so the timers
 * never use one batch's figure alone: they sum it over all the batches of a measurement.
 * A thread that ends between two snapshots takes its last few milliseconds with it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface CpuSnapshot {
  /** Nanoseconds on CPU per thread id. */
  readonly exec: ReadonlyMap<number, number>;
  /** Nanoseconds the main thread has spent runnable, waiting for a CPU. */
  readonly mainWaitNs: number;
}

export const EMPTY_SNAPSHOT: CpuSnapshot = { exec: new Map(), mainWaitNs: 0 };

export class TaskCpu {
  /**
   * @param mainPid the subject process (its main thread has the same id)
   * @param uid the subject's uid: every process running as it is counted (undefined: only mainPid)
   */
  constructor(
    private readonly mainPid: number | undefined,
    private readonly uid: number | undefined,
  ) {}

  snapshot(): CpuSnapshot {
    if (this.mainPid === undefined) return EMPTY_SNAPSHOT;
    const exec = new Map<number, number>();
    let mainWaitNs = 0;
    for (const pid of this.processes()) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue; // exited meanwhile
      }
      for (const tid of tids) {
        const stat = readSchedstat(`/proc/${pid}/task/${tid}/schedstat`);
        if (!stat) continue;
        exec.set(Number(tid), stat[0]);
        if (Number(tid) === this.mainPid) mainWaitNs = stat[1];
      }
    }
    return { exec, mainWaitNs };
  }

  /**
   * Resolves once the main thread is no longer running (it blocks after answering), or after
   * `maxMs`: its CPU figure is exact only once it has been switched out.
   */
  async settled(maxMs = 3): Promise<void> {
    if (this.mainPid === undefined) return;
    const until = performance.now() + maxMs;
    while (mainThreadRunning(this.mainPid) && performance.now() < until) await new Promise<void>((r) => setImmediate(r));
  }

  private processes(): number[] {
    if (this.uid === undefined) return [this.mainPid!];
    const pids: number[] = [];
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return [this.mainPid!];
    }
    for (const entry of entries) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      try {
        if (statSync(`/proc/${entry}`).uid === this.uid) pids.push(Number(entry));
      } catch {
        /* gone meanwhile */
      }
    }
    return pids;
  }
}

/** Whether the thread is running or runnable ('R' in /proc/<pid>/task/<pid>/stat). */
function mainThreadRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'R';
  } catch {
    return false;
  }
}

function readSchedstat(file: string): [number, number] | undefined {
  try {
    const [exec, wait] = readFileSync(file, 'latin1').split(' ');
    return [Number(exec) || 0, Number(wait) || 0];
  } catch {
    return undefined;
  }
}

/**
 * CPU nanoseconds between two snapshots, over every thread seen in `b` (threads new in `b` count
 * from zero). `withMain: false` leaves out the subject's main thread.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, mainPid: number | undefined, withMain: boolean): number {
  let total = 0;
  for (const [tid, ns] of b.exec) {
    if (!withMain && tid === mainPid) continue;
    total += Math.max(0, ns - (a.exec.get(tid) ?? 0));
  }
  return total;
}

/** CPU nanoseconds of one thread between two snapshots. */
export function cpuOfThread(a: CpuSnapshot, b: CpuSnapshot, tid: number | undefined): number {
  if (tid === undefined) return 0;
  return Math.max(0, (b.exec.get(tid) ?? 0) - (a.exec.get(tid) ?? 0));
}

/**
 * The driver's own main thread: CPU time and run-queue wait in nanoseconds. While a batch is out,
 * the driver has nothing to do but wait for the answer: its own waits and work (a GC, another
 * callback) delay the moment it notices the answer, and are not the subject's.
 */
export function driverThread(): { execNs: number; waitNs: number } {
  const stat = readSchedstat('/proc/thread-self/schedstat');
  return stat ? { execNs: stat[0], waitNs: stat[1] } : { execNs: 0, waitNs: 0 };
}
