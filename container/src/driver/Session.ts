/**
 * One solution's life in the sandbox: its subject process, restarted (and its code reloaded)
 * after a crash or a timeout, and the faults that ended each process.
 */
import type { Socket } from 'node:net';
import { waitForListening } from './HttpClient';
import type { CodeUnit, SubjectFault } from '../wire/payload';
import type { OutputCapture } from './OutputCapture';
import { lowestOomScoreAdj, memoryOf, type Processes, signalAllOf } from './procfs';
import { memoryLimitHit } from './cgroup';
import { SubjectGoneError, SubjectProcess, type LoadOutcome, type SubjectOptions } from './SubjectProcess';

/** How long a service's server may take to listen after its code loaded. */
export const SERVER_START_TIMEOUT_MS = 10_000;

export interface SessionOptions extends Omit<SubjectOptions, 'output'> {
  output?: OutputCapture;
  /** Service problems: the port the code must listen on (also passed as PORT). */
  listenPort?: number;
  /** The reference: a process that died is not restarted; what uses it fails with its fault. */
  noRestart?: boolean;
  /** Checked whenever the session is paused: what its processes may use together. */
  memoryBudgetBytes?: number;
  /** Run before each `resume`, with the other side paused; throws to refuse. */
  beforeResume?: () => void;
}

export class Session {
  private current: SubjectProcess | undefined;
  readonly faults: SubjectFault[] = [];
  readonly output: OutputCapture;

  constructor(
    private readonly opts: SessionOptions & { output: OutputCapture },
    private readonly unit: CodeUnit,
  ) {
    this.output = opts.output;
  }

  /**
   * Starts the first process (or takes one started early with the same options) and loads the code; compile and load failures come back as values.
   * Loading that outlasts `timeoutMs` (a busy loop or fork bomb at import time) is a timeout
   * fault, and dying of memory or output while loading is that fault: both come back as `fault`,
   * already recorded in `faults`.
   */
  async start(timeoutMs: number, proc = new SubjectProcess(this.opts)): Promise<LoadOutcome | { ok: false; kind: 'fault' }> {
    this.current = proc;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([proc.load(this.unit), timedOut]);
      if (outcome !== 'timeout') return outcome.ok ? await this.awaitServer(proc, outcome) : outcome;
      await this.recycle(
        memoryLimitHit()
          ? { kind: 'memory', message: 'hit the memory limit while loading' }
          : { kind: 'timeout', message: `loading the code took longer than ${timeoutMs} ms` },
      );
      return { ok: false, kind: 'fault' };
    } catch {
      // The process died while loading: a memory or output fault is named as such.
      const fault = await proc.exited;
      this.noteExit(fault);
      return fault.kind === 'crash' ? { ok: false, kind: 'load', message: fault.message } : { ok: false, kind: 'fault' };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Service problems: the loaded code must be listening on its port before tests start. */
  private async awaitServer(proc: SubjectProcess, loaded: LoadOutcome): Promise<LoadOutcome> {
    const port = this.opts.listenPort;
    if (port === undefined || !loaded.ok) return loaded;
    if (await waitForListening(port, SERVER_START_TIMEOUT_MS, () => proc.alive)) return loaded;
    if (!proc.alive) return { ok: false, kind: 'load', message: (await proc.exited).message };
    await proc.terminate({ kind: 'crash', message: 'the server never listened' });
    return {
      ok: false,
      kind: 'load',
      message: `your server did not listen on 127.0.0.1:${port} within ${SERVER_START_TIMEOUT_MS / 1000} s (listen on process.env.PORT)`,
    };
  }

  /** The live process, restarted and reloaded if the last one died. */
  async subject(): Promise<SubjectProcess> {
    if (this.current?.alive) return this.current;
    if (this.current) this.noteExit(await this.current.exited);
    if (this.opts.noRestart) throw this.current?.goneError ?? new SubjectGoneError(this.lastFault());
    // What the dead process left running (detached children) would hold pids the new one needs.
    if (this.opts.uid !== undefined) signalAllOf(this.opts.uid, 'SIGKILL');
    const proc = new SubjectProcess(this.opts);
    this.current = proc;
    const loaded = await this.awaitServer(proc, await proc.load(this.unit));
    if (!loaded.ok) throw new Error('the code loaded once but not on restart');
    return proc;
  }

  /**
   * Stops every process and thread of this session's uid, checked (the other side is about to be
   * measured), then holds it to its memory budget and OOM priority while nothing of it can move.
   * A session that cannot be stopped, or breaks either, is killed.
   */
  async pause(): Promise<void> {
    const proc = this.current;
    if (!proc?.alive || proc.frozen) return;
    const stopped = await proc.freeze();
    if (!stopped) {
      await this.recycle({ kind: 'crash', message: `${this.whose} processes could not be paused for the benchmark` });
      return;
    }
    const breach = this.breach(stopped);
    if (breach) await this.recycle(breach);
  }

  /** Lets the session run again; throws SubjectGoneError when its process is gone. */
  async resume(): Promise<void> {
    const proc = this.current;
    if (!proc?.alive) {
      if (proc) this.noteExit(await proc.exited);
      throw proc?.goneError ?? new SubjectGoneError(this.lastFault());
    }
    this.opts.beforeResume?.();
    proc.thaw();
  }

  private breach(stopped: Processes): SubjectFault | undefined {
    const budget = this.opts.memoryBudgetBytes;
    if (budget !== undefined && memoryOf(stopped) > budget)
      return {
        kind: 'memory',
        message: `${this.whose} processes together used more than the memory limit (${Math.round(budget / 2 ** 20)} MB)`,
      };
    if (lowestOomScoreAdj(stopped) < (this.opts.oomScoreAdj ?? 1000))
      return {
        kind: 'crash',
        message: `${this.whose} code lowered its out-of-memory priority (oom_score_adj), which would put other processes at risk`,
      };
    return undefined;
  }

  private get whose(): string {
    return this.opts.role === 'reference' ? "the reference solution's" : "the candidate's";
  }

  private lastFault(): SubjectFault {
    return this.faults.at(-1) ?? { kind: 'crash', message: 'the process is gone' };
  }

  /** Gives the live process a connection's server end (the reference server's only way in). */
  async handOver(socket: Socket): Promise<void> {
    await (await this.subject()).handOver(socket);
  }

  /** Kills the process (and its children) for `reason`; the next `subject()` starts a fresh one. */
  async recycle(reason: SubjectFault): Promise<void> {
    const proc = this.current;
    if (!proc) return;
    await proc.terminate(reason);
    this.noteExit(await proc.exited);
    this.current = undefined;
  }

  private noteExit(fault: SubjectFault): void {
    if (this.faults.at(-1) !== fault) this.faults.push(fault);
  }

  count(kind: SubjectFault['kind']): number {
    return this.faults.filter((f) => f.kind === kind).length;
  }

  async close(): Promise<void> {
    const proc = this.current;
    this.current = undefined;
    if (proc?.alive) await proc.terminate({ kind: 'crash', message: 'grading finished' });
    else if (proc) this.noteExit(await proc.exited);
  }
}
