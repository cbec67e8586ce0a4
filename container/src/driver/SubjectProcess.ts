/**
 * The driver's handle on one subject process: spawns it under its own uid, talks the protocol,
 * captures and caps its output, notices how it died, and kills it (with everything it spawned).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Diagnostic } from '@assay/contracts';
import type { Exposed, RemoteError, RemoteObject, Subject } from '@assay/sdk';
import { SUBJECT_CHECKS } from '../wire/checks';
import { decodeList, decodeValue, encodeValue, type Codec, type Encoded, type RefTag, type WireError } from '../wire/codec';
import type { BodyOf, DriverOps, SubjectOps, ValueOf } from '../wire/ops';
import type { CodeUnit, SubjectFault } from '../wire/payload';
import { RpcChannel, type Answer } from '../wire/RpcChannel';

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
}

/** Counts every byte the candidate prints; keeps text only while `capturing` (sample tests). */
export class OutputCapture {
  stdout = '';
  stderr = '';
  truncated = false;
  capturing = true;
  total = 0;
  exceeded = false;
  constructor(
    readonly limitBytes: number,
    private readonly keepBytes = 16 * 1024,
  ) {}

  /** Returns false once the limit is passed: the caller kills the process. */
  add(stream: 'stdout' | 'stderr', chunk: Buffer): boolean {
    this.total += chunk.length;
    if (this.capturing) {
      const room = this.keepBytes - this.stdout.length - this.stderr.length;
      if (room > 0) this[stream] += chunk.subarray(0, room).toString('utf8');
      if (chunk.length > room) this.truncated = true;
    } else if (chunk.length > 0) {
      this.truncated = true;
    }
    if (this.total > this.limitBytes) this.exceeded = true;
    return !this.exceeded;
  }
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
  constructor(readonly fault: SubjectFault) {
    super(fault.message);
  }
}

export type LoadOutcome =
  | { ok: true; exports: string[] }
  | { ok: false; kind: 'compile'; diagnostics: Diagnostic[] }
  | { ok: false; kind: 'load'; message: string };

class RemoteHandle implements RemoteObject {
  constructor(
    readonly owner: SubjectProcess,
    readonly ref: number,
  ) {}
  call(method: string, ...args: unknown[]): Promise<unknown> {
    return this.owner.remoteCall(this.ref, method, args);
  }
  prop(name: string): Promise<unknown> {
    return this.owner.remoteProp(this.ref, name);
  }
}

const EXPOSED = '__exposed';

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
  private readonly driverIds = new WeakMap<object, number>();
  private nextObject = 1;
  private nextBatch = 1;
  private stderrTail = '';
  private killedFor: SubjectFault | undefined;
  private terminating: Promise<void> | undefined;
  private exitFault: SubjectFault | undefined;
  readonly exited: Promise<SubjectFault>;

  constructor(private readonly opts: SubjectOptions) {
    this.child = spawn(opts.node, ['--expose-gc', `--max-old-space-size=${opts.heapMb}`, opts.script], {
      cwd: '/',
      uid: opts.uid,
      gid: opts.uid,
      env: { PATH: '', NODE_ENV: 'production', HOME: opts.dir, ASSAY_WORKDIR: opts.dir, ASSAY_ESBUILD: opts.esbuild, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c: Buffer) => this.onOutput('stdout', c));
    this.child.stderr!.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-4096);
      this.onOutput('stderr', c);
    });
    this.channel = new RpcChannel(this.child.stdio[3] as Duplex, { invoke: (body) => this.serveInvoke(body) }, SUBJECT_CHECKS);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitFault = this.killedFor ?? this.classifyExit(code, signal);
        this.channel.close(new SubjectGoneError(this.exitFault));
        resolve(this.exitFault);
      });
      this.child.on('error', (e) => {
        this.exitFault = { kind: 'crash', message: `could not start: ${e.message}` };
        this.channel.close(new SubjectGoneError(this.exitFault));
        resolve(this.exitFault);
      });
    });
  }

  get alive(): boolean {
    return this.exitFault === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process and everything running under its uid. */
  freeze(frozen: boolean): void {
    if (this.opts.uid !== undefined) signalAllOf(this.opts.uid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (!this.opts.output.add(stream, chunk) && !this.killedFor)
      void this.terminate({ kind: 'output', message: `printed more than ${this.opts.output.limitBytes} bytes of output` });
  }

  private classifyExit(code: number | null, signal: NodeJS.Signals | null): SubjectFault {
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail))
      return { kind: 'memory', message: 'ran out of memory (JavaScript heap limit reached)' };
    if (signal === 'SIGKILL' && memoryLimitHit()) return { kind: 'memory', message: 'killed by the memory limit' };
    if (code === 70) return { kind: 'crash', message: 'crashed on an unhandled promise rejection' };
    return { kind: 'crash', message: `the candidate process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})` };
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
        id = this.nextObject++;
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
      return await this.channel.request(op, body);
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

  /** Builds a batch in the subject; returns its id for `runBatch`. */
  async prepare(target: RemoteObject | null, method: string, argsList: unknown[][]): Promise<number> {
    const batch = this.nextBatch++;
    const ref = target instanceof RemoteHandle ? target.ref : null;
    await this.ask('prepare', { batch, target: ref, method, argsList: encodeValue(argsList, this.codec) });
    return batch;
  }

  /**
   * Runs `count` calls of a batch; resolves with the round trip in nanoseconds, less the time the
   * subject's main thread sat runnable waiting for a CPU during it: load elsewhere on the machine
   * does not count, while everything the candidate's code did (threads and child processes it
   * waited on included) still does. The correction never removes more than half of a round trip:
   * a wait can be charged late (after the reply), and an over-corrected batch must not become the
   * minimum that a probe keeps.
   */
  async runBatch(batch: number, count: number): Promise<number> {
    const pid = this.child.pid;
    const waitedBefore = runqueueWaitNs(pid);
    const start = process.hrtime.bigint();
    const res = await this.send('run', { batch, count });
    const elapsed = Number(process.hrtime.bigint() - start);
    const waited = runqueueWaitNs(pid) - waitedBefore;
    if (!res.ok) throw new RemoteCallError(res.error);
    return elapsed - Math.min(Math.max(waited, 0), elapsed / 2);
  }

  async gc(type: 'full' | 'minor'): Promise<void> {
    await this.send('gc', { type });
  }

  async release(target: RemoteObject | null, batches: number[]): Promise<void> {
    const ref = target instanceof RemoteHandle ? target.ref : null;
    await this.send('release', { target: ref, batches });
  }
}

/** Nanoseconds a process's main thread has spent runnable but not running (0 when unknown). */
export function runqueueWaitNs(pid: number | 'self' | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

/** A number from this container's cgroup (v1) files, 0 when unreadable. */
export function cgroupNumber(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

const cgroupMemory = (file: string) => cgroupNumber(`/sys/fs/cgroup/memory/${file}`);

const failcntAtStart = cgroupMemory('memory.failcnt');

/**
 * True once this container's memory cgroup has hit its limit. Near the limit the kernel thrashes
 * (reclaiming page cache) before it OOM-kills, so a memory bomb can outlast a test's timeout:
 * a timeout under this pressure is a memory fault, not a slow program.
 */
export function memoryLimitHit(): boolean {
  if (oomKills() > 0 || cgroupMemory('memory.failcnt') > failcntAtStart) return true;
  const limit = cgroupMemory('memory.limit_in_bytes');
  return limit > 0 && cgroupMemory('memory.max_usage_in_bytes') >= 0.9 * limit;
}

/** Number of OOM kills in this container's memory cgroup (cgroup v1), 0 when unreadable. */
export function oomKills(): number {
  try {
    const m = /oom_kill (\d+)/.exec(readFileSync('/sys/fs/cgroup/memory/memory.oom_control', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Sends `signal` to every process running as `uid` (background and detached children included).
 * For SIGKILL it repeats until none is left, since a fork bomb keeps making more. Scanning /proc
 * needs no new process, which a fork bomb at the pids limit would make impossible to start.
 */
export function signalAllOf(uid: number, signal: NodeJS.Signals, maxPasses = signal === 'SIGKILL' ? 50 : 1): void {
  for (let pass = 0; pass < maxPasses; pass++) {
    let found = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const status = readFileSync(`/proc/${entry}/status`, 'utf8');
        const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
        const zombie = /^State:\s+Z/m.test(status);
        if (m && !zombie && (Number(m[1]) === uid || Number(m[2]) === uid)) {
          found++;
          process.kill(Number(entry), signal);
        }
      } catch {
        /* gone meanwhile */
      }
    }
    if (found === 0) return;
  }
}
