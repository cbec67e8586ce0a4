/**
 * One solution's life in the sandbox: its subject process, restarted (and its code reloaded)
 * after a crash or a timeout, and the faults that ended each process.
 */
import { waitForListening } from './HttpClient';
import type { CodeUnit, SubjectFault } from '../wire/payload';
import { memoryLimitHit, type OutputCapture, SubjectProcess, type LoadOutcome, type SubjectOptions } from './SubjectProcess';

/** How long a service's server may take to listen after its code loaded. */
export const SERVER_START_TIMEOUT_MS = 10_000;

export interface SessionOptions extends Omit<SubjectOptions, 'output'> {
  output?: OutputCapture;
  /** Service problems: the port the code must listen on (also passed as PORT). */
  listenPort?: number;
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
    const proc = new SubjectProcess(this.opts);
    this.current = proc;
    const loaded = await this.awaitServer(proc, await proc.load(this.unit));
    if (!loaded.ok) throw new Error('the code loaded once but not on restart');
    return proc;
  }

  /** Freezes or thaws every process of this session (used to keep two servers apart). */
  freeze(frozen: boolean): void {
    this.current?.freeze(frozen);
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
