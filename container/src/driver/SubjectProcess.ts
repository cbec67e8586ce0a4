/**
 * The driver's handle on one subject process: spawns it under its own uid, talks the protocol,
 * captures and caps its output, notices how it died, and kills it (with everything it spawned).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Diagnostic } from '@assay/contracts';
import type { Exposed, RemoteError, RemoteObject, Subject } from '@assay/sdk';
import { SUBJECT_CHECKS } from '../wire/checks';
import { capWireError } from '../wire/errorCaps';
import { decodeList, decodeValue, encodeValue, type Codec, type Encoded, type RefTag, type WireError } from '../wire/codec';
import type { BodyOf, DriverOps, SubjectOps, ValueOf } from '../wire/ops';
import { REFERENCE_CONNECTION, type CodeUnit, type SubjectFault } from '../wire/payload';
import { type Processes, signal, signalAllOf, stopAllOf } from './procfs';
import { RESULT_DESCRIPTION } from '../wire/resultValue';
import { memoryLimitHit } from './cgroup';
import type { OutputCapture } from './OutputCapture';
import { cpuBetween, cpuOfThread, driverThread, EMPTY_SNAPSHOT, TaskCpu, type CpuSnapshot } from './TaskCpu';
import { ProtocolError, RpcChannel, UNTRUSTED_PEER_LIMITS, type Answer } from '../wire/RpcChannel';

export interface SubjectOptions {
  node: string;
  script: string;
  esbuild: string;
  dir: string;
  uid: number | undefined;
  heapMb: number;
  output: OutputCapture;
  /** Extra environment (service problems get PORT). */
  env?: Record<string, string>;
  /** Whose code runs: names it in the faults it ends with. */
  role?: 'candidate' | 'reference';
  /** The subject sets this oom_score_adj for itself (children inherit it): 1000, first for the OOM killer, by default. */
  oomScoreAdj?: number;
  /** An IPC channel (fd 4) to hand the process connections over (`handOver`): the reference server's only way in. */
  ipc?: boolean;
}

export class RemoteCallError extends Error implements RemoteError {
  readonly remote = true as const;
  readonly remoteName: string;
  readonly remoteStack: string | undefined;
  constructor(wire: WireError) {
    super(wire.message);
    this.remoteName = wire.name;
    this.remoteStack = wire.stack;
  }
}

/** The subject died (or was killed) while a call was in flight. */
export class SubjectGoneError extends Error {
  override readonly name = 'SubjectGoneError';
  constructor(
    readonly fault: SubjectFault,
    /** False only when the reference ended on its own (its code's doing: ours, not the candidate's). */
    readonly candidateCaused = true,
  ) {
    super(fault.message);
  }
}

/**
 * Workload batches are plain data, encoded the same for every process: the reference's replay of
 * a candidate's workload reuses the candidate's encoding (large at n = 65536).
 */
const encodedBatches = new WeakMap<unknown[][], Encoded>();

/** One timed batch as the driver saw it (`SubjectProcess.runBatch`). */
export interface BatchRun {
  /** The round trip, on the driver's clock. */
  elapsedNs: number;
  /** How long the subject's main thread sat runnable, waiting for a CPU, during it. */
  mainWaitNs: number;
  /** The main thread's own CPU time during it. */
  mainExecNs: number;
  /** The driver's own CPU time and run-queue wait during it (see `driverThread`). */
  driverNs: number;
  /** CPU time of the uid's other threads and processes during it. */
  otherCpuNs: number;
  /** The subject's digests: the batch's results, then each read-back batch's. */
  digests: number[];
  before: CpuSnapshot;
  after: CpuSnapshot;
}

/** A timed batch outlasted its timeout: the candidate's code is stuck (or far slower than measured). */
export class BatchTimeoutError extends Error {
  override readonly name = 'BatchTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`a timed batch ran longer than ${timeoutMs} ms`);
  }
}

export type LoadOutcome =
  | { ok: true; exports: string[] }
  | { ok: false; kind: 'compile'; diagnostics: Diagnostic[] }
  | { ok: false; kind: 'load'; message: string };

class RemoteHandle implements RemoteObject {
  /** Private: printing or copying a handle must never reach the process (its output, its buffers). */
  readonly #owner: SubjectProcess;
  readonly [RESULT_DESCRIPTION] = '[candidate object]';
  constructor(
    owner: SubjectProcess,
    readonly ref: number,
  ) {
    this.#owner = owner;
  }
  call(method: string, ...args: unknown[]): Promise<unknown> {
    return this.#owner.remoteCall(this.ref, method, args);
  }
  prop(name: string): Promise<unknown> {
    return this.#owner.remoteProp(this.ref, name);
  }
  toJSON(): string {
    return '[candidate object]';
  }
}

const EXPOSED = '__exposed';
/** Stopping every thread can wait for a CPU quota period or two (100 ms each) when many are busy. */
const FREEZE_TIMEOUT_MS = 3000;
/** How long a subject whose socket closed may take to exit on its own before it is killed. */
const CLOSED_CHANNEL_GRACE_MS = 1000;

function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (k === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d && typeof d.value === 'function') names.add(k);
    }
  }
  return [...names];
}

export class SubjectProcess implements Subject {
  private readonly child: ChildProcess;
  private readonly channel: RpcChannel<DriverOps, SubjectOps>;
  private readonly driverObjects = new Map<number, { target: object; methods: Set<string>; callable: boolean }>();
  private driverIds = new WeakMap<object, number>();
  private nextBatch = 1;
  private taskCpu: TaskCpu | undefined;
  private stderrTail = '';
  private isFrozen = false;
  private stoppedPids: number[] = [];
  private gone: SubjectGoneError | undefined;
  private killedFor: SubjectFault | undefined;
  private terminating: Promise<void> | undefined;
  private exitFault: SubjectFault | undefined;
  readonly exited: Promise<SubjectFault>;

  constructor(private readonly opts: SubjectOptions) {
    this.child = spawn(opts.node, ['--expose-gc', `--max-old-space-size=${opts.heapMb}`, opts.script], {
      cwd: '/',
      uid: opts.uid,
      gid: opts.uid,
      env: {
        PATH: '',
        NODE_ENV: 'production',
        HOME: opts.dir,
        ASSAY_WORKDIR: opts.dir,
        ASSAY_ESBUILD: opts.esbuild,
        ASSAY_OOM_SCORE_ADJ: String(opts.oomScoreAdj ?? 1000),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
    });
    this.child.stdout!.on('data', (c: Buffer) => this.onOutput('stdout', c));
    this.child.stderr!.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-4096);
      this.onOutput('stderr', c);
    });
    this.channel = new RpcChannel(
      this.child.stdio[3] as Duplex,
      { invoke: (body) => this.serveInvoke(body) },
      SUBJECT_CHECKS,
      UNTRUSTED_PEER_LIMITS,
    );
    this.channel.onClose((reason) => this.onChannelClosed(reason));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const blamed = this.opts.role !== 'reference' || (signal !== null && !this.killedFor);
        this.exitFault = this.killedFor ?? this.nameExit(this.classifyExit(code, signal), blamed);
        this.gone = new SubjectGoneError(this.exitFault, blamed);
        this.channel.close(this.gone);
        resolve(this.exitFault);
      });
      this.child.on('error', (e) => {
        this.exitFault = { kind: 'crash', message: `could not start: ${e.message}` };
        this.channel.close(new SubjectGoneError(this.exitFault));
        resolve(this.exitFault);
      });
    });
  }

  /**
   * A subject without its channel is killed: it may have overridden process.exit, and everything
   * waiting for its exit would wait forever. A closed socket gets a moment first, as a process
   * dying on its own closes it too and its exit says why.
   */
  private onChannelClosed(reason: Error): void {
    if (reason instanceof SubjectGoneError || !this.alive) return;
    if (reason instanceof ProtocolError) {
      void this.terminate({ kind: 'crash', message: `the candidate process broke the driver protocol (${reason.message.slice(0, 200)})` });
      return;
    }
    setTimeout(() => {
      if (this.alive) void this.terminate({ kind: 'crash', message: 'the candidate process closed its connection to the driver' });
    }, CLOSED_CHANNEL_GRACE_MS).unref();
  }

  get alive(): boolean {
    return this.exitFault === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True between a `freeze` that succeeded and the next `thaw`. */
  get frozen(): boolean {
    return this.isFrozen;
  }

  /**
   * Stops every process and thread running under this uid (background and detached ones too)
   * and checks they all stay stopped: those processes, or undefined if they did not stop within
   * `timeoutMs`.
   */
  async freeze(timeoutMs = FREEZE_TIMEOUT_MS): Promise<Processes | undefined> {
    if (this.opts.uid === undefined) return [];
    const stopped = await stopAllOf(this.opts.uid, timeoutMs);
    this.isFrozen = stopped !== undefined;
    this.stoppedPids = stopped?.map((p) => p.pid) ?? [];
    return stopped;
  }

  /**
   * Lets everything running under this uid continue (SIGCONT): after a freeze that succeeded,
   * just the processes it stopped, as stopped processes cannot have started others.
   */
  thaw(): void {
    if (this.isFrozen) for (const pid of this.stoppedPids) signal(pid, 'SIGCONT');
    else if (this.opts.uid !== undefined) signalAllOf(this.opts.uid, 'SIGCONT');
    this.isFrozen = false;
  }

  /** Gives the process the server end of a connection (over its IPC channel), which it serves as its own. */
  handOver(socket: Socket): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new SubjectGoneError(this.exitFault ?? { kind: 'crash', message: 'no IPC channel' }));
      this.child.send(REFERENCE_CONNECTION, socket, (err) => (err ? reject(err) : resolve()));
    });
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (!this.opts.output.add(stream, chunk) && !this.killedFor)
      void this.terminate({ kind: 'output', message: `printed more than ${this.opts.output.limitBytes} bytes of output` });
  }

  /**
   * The reference is paused whenever candidate code runs and nothing can signal it but the
   * driver and the kernel: killed by a signal we did not send (the OOM killer, an abort when no
   * thread could be made), it was the candidate's code that filled the memory or the pids.
   */
  private nameExit(fault: SubjectFault, blamed: boolean): SubjectFault {
    if (this.opts.role !== 'reference') return fault;
    if (!blamed) return { ...fault, message: `the reference solution failed: ${fault.message}` };
    return {
      ...fault,
      message: `the reference solution stopped next to your code (${fault.message}); only your code could have caused that`,
    };
  }

  /** Why the process is gone, once it is (what pending calls were rejected with). */
  get goneError(): SubjectGoneError | undefined {
    return this.gone;
  }

  private classifyExit(code: number | null, signal: NodeJS.Signals | null): SubjectFault {
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail))
      return { kind: 'memory', message: 'ran out of memory (JavaScript heap limit reached)' };
    if (signal === 'SIGKILL' && memoryLimitHit()) return { kind: 'memory', message: 'killed by the memory limit' };
    if (code === 70) return { kind: 'crash', message: 'crashed on an unhandled promise rejection' };
    const who = this.opts.role === 'reference' ? 'its process' : 'the candidate process';
    return { kind: 'crash', message: `${who} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})` };
  }

  /**
   * Kills the process and everything else running under its uid (background children included);
   * resolves once they are gone, so a fresh subject under the same uid is safe to start.
   */
  terminate(reason: SubjectFault): Promise<void> {
    if (!this.killedFor && this.alive) this.killedFor = reason;
    this.terminating ??= (async () => {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      if (this.opts.uid !== undefined) signalAllOf(this.opts.uid, 'SIGKILL');
      await this.exited;
    })();
    return this.terminating;
  }

  private readonly codec: Codec = {
    tagObject: (value: object): RefTag | undefined => {
      if (value instanceof RemoteHandle) return { $ref: value.ref };
      const exposed = (value as Partial<Exposed<object>>)[EXPOSED as keyof Exposed<object>];
      const target = exposed ?? (this.driverIds.has(value) ? value : undefined);
      if (!target) return undefined;
      let id = this.driverIds.get(target);
      const methods = methodNames(target);
      const callableTarget = typeof target === 'function';
      if (id === undefined) {
        id = this.unusedObjectId();
        this.driverIds.set(target, id);
        this.driverObjects.set(id, { target, methods: new Set(methods), callable: callableTarget });
      }
      return { $obj: id, methods, callable: callableTarget };
    },
    untag: (tag) => {
      if (typeof tag.$ref === 'number') return new RemoteHandle(this, tag.$ref);
      if (typeof tag.$obj === 'number') return this.driverObjects.get(tag.$obj)?.target;
      return undefined;
    },
  };

  /** Unguessable: candidate code reaches only the driver objects it was handed. */
  private unusedObjectId(): number {
    for (;;) {
      const id = randomInt(1, 2 ** 48);
      if (!this.driverObjects.has(id)) return id;
    }
  }

  /**
   * Forgets the driver objects handed to the candidate so far (at the end of a test): calls into
   * them fail from then on, and they no longer stay alive for the rest of the grading.
   */
  forgetDriverObjects(): void {
    this.driverObjects.clear();
    this.driverIds = new WeakMap();
  }

  /** Serves the candidate's calls into driver-owned objects (the body's shape is already checked). */
  private async serveInvoke({ object, method, args }: BodyOf<DriverOps, 'invoke'>): Promise<Encoded> {
    const entry = this.driverObjects.get(object);
    if (!entry) throw new Error('unknown object');
    const decoded = decodeList(args, this.codec);
    let result: unknown;
    if (method === '' && entry.callable) result = await (entry.target as (...a: unknown[]) => unknown)(...decoded);
    else if (entry.methods.has(method)) result = await (entry.target as Record<string, (...a: unknown[]) => unknown>)[method]!(...decoded);
    else throw new TypeError(`${method} is not a function`);
    return encodeValue(result, this.codec);
  }

  /** Sends a request; a dead subject (or a channel that closed) rejects with SubjectGoneError. */
  private async send<K extends keyof SubjectOps & string>(op: K, body: BodyOf<SubjectOps, K>): Promise<Answer<ValueOf<SubjectOps, K>>> {
    try {
      const answer = await this.channel.request(op, body);
      return answer.ok ? answer : { ok: false, error: capWireError(answer.error) };
    } catch (e) {
      if (e instanceof SubjectGoneError) throw e;
      // The channel closed before the exit was seen: wait for the exit to learn why.
      throw new SubjectGoneError(await this.exited);
    }
  }

  /** Like `send`, but candidate exceptions reject with RemoteCallError. */
  private async ask<K extends keyof SubjectOps & string>(op: K, body: BodyOf<SubjectOps, K>): Promise<ValueOf<SubjectOps, K>> {
    const res = await this.send(op, body);
    if (!res.ok) throw new RemoteCallError(res.error);
    return res.value;
  }

  /** Calls `method` of subject object `target` (an exported function when null). */
  async remoteCall(target: number | null, method: string, args: unknown[]): Promise<unknown> {
    return decodeValue(await this.ask('call', { target, method, args: encodeValue(args, this.codec) }), this.codec);
  }

  async remoteProp(target: number, name: string): Promise<unknown> {
    return decodeValue(await this.ask('prop', { target, name }), this.codec);
  }

  async load(unit: CodeUnit): Promise<LoadOutcome> {
    const res = await this.send('load', { files: unit.files, entry: unit.entry });
    if (res.ok) return { ok: true, exports: res.value };
    const err = res.error;
    if (err.kind === 'compile') return { ok: false, kind: 'compile', diagnostics: err.diagnostics ?? [] };
    return { ok: false, kind: 'load', message: `${err.name}: ${err.message}` };
  }

  async construct(className: string, ...args: unknown[]): Promise<RemoteObject> {
    const { $ref } = await this.ask('construct', { className, args: encodeValue(args, this.codec) });
    return new RemoteHandle(this, $ref);
  }

  call(fn: string, ...args: unknown[]): Promise<unknown> {
    return this.remoteCall(null, fn, args);
  }

  /**
   * Builds a batch in the subject; returns its id for `runBatch`. `hash: false` leaves the
   * batch's results out of its digests (a result the statement leaves open); `advance` moves
   * numeric arguments on after each pass (`CallBatch.advance`).
   */
  async prepare(
    target: RemoteObject | null,
    method: string,
    argsList: unknown[][],
    opts: Pick<BodyOf<SubjectOps, 'prepare'>, 'hash' | 'advance' | 'echo' | 'read' | 'pick' | 'chain'> = {},
  ): Promise<number> {
    const batch = this.nextBatch++;
    const ref = target instanceof RemoteHandle ? target.ref : null;
    let encoded = encodedBatches.get(argsList);
    if (!encoded) encodedBatches.set(argsList, (encoded = encodeValue(argsList, this.codec)));
    await this.ask('prepare', { batch, target: ref, method, argsList: encoded, ...opts });
    return batch;
  }

  /** The CPU time of every thread and process running as this subject's uid. */
  get cpu(): TaskCpu {
    this.taskCpu ??= new TaskCpu(this.child.pid, this.opts.uid);
    return this.taskCpu;
  }

  /**
   * Runs `count` calls of a batch (continuing where its last run stopped), then the read-back
   * batches `then`, in one round trip timed here, on the driver's side. Resolves with the round
   * trip, the main thread's run-queue wait and the CPU time of every other thread and process of
   * the uid during it (see `WorkloadTimer` for how they are charged), and the subject's digests.
   * A round trip longer than `timeoutMs` rejects with BatchTimeoutError; the caller recycles the
   * process, which may still be spinning. `timed: false` (a replay only its digests are wanted
   * from) skips the CPU accounting.
   */
  async runBatch(batch: number, count: number, timeoutMs: number, then: [number, number][] = [], timed = true): Promise<BatchRun> {
    const cpu = this.cpu;
    const before = timed ? cpu.snapshot() : EMPTY_SNAPSHOT;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const self = driverThread();
    const start = process.hrtime.bigint();
    const res = await Promise.race([this.send('run', { batch, count, ...(then.length ? { then } : {}) }), timedOut]).finally(() =>
      clearTimeout(timer),
    );
    const elapsedNs = Number(process.hrtime.bigint() - start);
    const selfAfter = driverThread();
    if (res === 'timeout') throw new BatchTimeoutError(timeoutMs);
    if (timed) await cpu.settled();
    const after = timed ? cpu.snapshot() : EMPTY_SNAPSHOT;
    if (!res.ok) throw new RemoteCallError(res.error);
    if (res.value.length !== 1 + then.length)
      throw new RemoteCallError({ name: 'Error', message: 'a batch answered the wrong number of digests' });
    return {
      elapsedNs,
      mainWaitNs: Math.max(0, after.mainWaitNs - before.mainWaitNs),
      mainExecNs: cpuOfThread(before, after, this.child.pid),
      driverNs: Math.max(0, selfAfter.execNs - self.execNs) + Math.max(0, selfAfter.waitNs - self.waitNs),
      otherCpuNs: cpuBetween(before, after, this.child.pid, false),
      digests: res.value,
      before,
      after,
    };
  }

  async gc(type: 'full' | 'minor'): Promise<void> {
    await this.send('gc', { type });
  }

  async release(target: RemoteObject | null, batches: number[]): Promise<void> {
    const ref = target instanceof RemoteHandle ? target.ref : null;
    await this.send('release', { target: ref, batches });
  }
}
