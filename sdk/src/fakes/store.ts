/**
 * A Redis-like key-value store the driver owns and the candidate calls into. Every operation is
 * atomic (no await between its read and its write) and takes a seeded random latency on the way
 * in and again on the way out, so a check-then-act spread over two calls interleaves with other
 * callers on every run, reproducibly. Keys expire on a `ManualClock` the test moves.
 *
 * Hand the candidate only the operations its statement names: `ctx.expose(store.client([...]))`.
 * The rest of this class (peek, hold, onceAfter, the clock) is the test's control panel.
 */
import type { FakeContext } from '../context';
import { latch, type Latch } from '../concurrency';
import { deepEqual } from '../values';
import { ManualClock } from './clock';
import { jitter, only, type Latency } from './latency';
import { checkKey, checkTtl, checkValue, checkVersion, type TtlRule, type ValueKind } from './storeArgs';

export interface KvStoreOptions {
  /** Each leg of every call (default `[0, 2]`). */
  latencyMs?: Latency;
  /** Expiry runs on this clock (default: a new one at 0, available as `store.clock`). */
  clock?: ManualClock;
  /** What `set`, `setIfAbsent`, `compareAndSet` accept (default `'json'`). Counters are numbers whatever this says. */
  values?: ValueKind;
  /** Default `'integer'` (>= 1). */
  ttl?: TtlRule;
  /** Writes that must name a ttl (a statement's `set(key, value, ttlMs)`): all of them, or these operations. */
  requireTtl?: boolean | readonly KvOp[];
}

/** The operations a candidate may be given. */
export type KvOp =
  | 'get'
  | 'set'
  | 'incr'
  | 'setIfAbsent'
  | 'compareAndSet'
  | 'delete'
  | 'deleteIfEquals'
  | 'expireIfEquals'
  | 'getVersioned'
  | 'setIfVersion';

interface Entry {
  value: unknown;
  expiresAt: number | undefined;
}

interface HoldState {
  latch: Latch;
  /** Opens once this many calls have arrived (Infinity: only the test opens it). */
  until: number;
  maxWaitMs: number;
  timer: boolean;
}

interface Hook {
  op: KvOp;
  when: (result: unknown, args: unknown[]) => boolean;
  run: () => Promise<void>;
}

export class KvStore {
  readonly clock: ManualClock;
  /** Calls that passed their argument checks, per operation, counted as they arrive. */
  readonly calls: Partial<Record<KvOp, number>> = {};
  readonly #ctx: FakeContext;
  readonly #latency: Latency;
  readonly #kind: ValueKind;
  readonly #ttl: TtlRule;
  readonly #requireTtl: boolean | readonly KvOp[];
  readonly #data = new Map<string, Entry>();
  /** Survives deletes and expiry, so a re-created key never reuses a version (no ABA). */
  readonly #versions = new Map<string, number>();
  #hooks: Hook[] = [];
  #hold: HoldState | undefined;
  #arrived = 0;

  constructor(ctx: FakeContext, options: KvStoreOptions = {}) {
    this.#ctx = ctx;
    this.#latency = options.latencyMs ?? [0, 2];
    this.clock = options.clock ?? new ManualClock(0);
    this.#kind = options.values ?? 'json';
    this.#ttl = options.ttl ?? 'integer';
    this.#requireTtl = options.requireTtl ?? false;
  }

  /** The live value, or null. */
  async get(key: string): Promise<unknown> {
    checkKey(key);
    return this.#op('get', [key], () => this.#read(key) ?? null);
  }

  /** Writes the value; without a ttl the key never expires. */
  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    checkKey(key);
    const v = checkValue(value, this.#kind);
    const ttl = this.#checkTtl('set', ttlMs);
    return this.#op('set', [key, value, ttlMs], () => void this.#write(key, v, ttl));
  }

  /** Adds 1 (a missing key counts from 0); a ttl applies only when this call creates the key. */
  async incr(key: string, ttlMs?: number): Promise<number> {
    checkKey(key);
    const ttl = this.#checkTtl('incr', ttlMs);
    return this.#op('incr', [key, ttlMs], () => {
      const e = this.#live(key);
      if (e && typeof e.value !== 'number') throw new TypeError(`key ${key} does not hold a counter`);
      const value = ((e?.value as number | undefined) ?? 0) + 1;
      this.#write(key, value, undefined, e ? e.expiresAt : this.#expiry(ttl));
      return value;
    });
  }

  /** Writes only when the key is absent (or expired); true when it wrote. */
  async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    checkKey(key);
    const v = checkValue(value, this.#kind);
    const ttl = this.#checkTtl('setIfAbsent', ttlMs);
    return this.#op('setIfAbsent', [key, value, ttlMs], () => !this.#live(key) && this.#write(key, v, ttl));
  }

  /** Writes only when the current value equals `expected` (null: the key is absent); true when it wrote. */
  async compareAndSet(key: string, expected: unknown, value: unknown, ttlMs?: number): Promise<boolean> {
    checkKey(key);
    const want = expected === null ? null : checkValue(expected, this.#kind, 'expected');
    const v = checkValue(value, this.#kind);
    const ttl = this.#checkTtl('compareAndSet', ttlMs);
    return this.#op('compareAndSet', [key, expected, value, ttlMs], () => this.#holds(key, want) && this.#write(key, v, ttl));
  }

  /** True when a live key was removed. */
  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#op('delete', [key], () => this.#remove(key));
  }

  /** Removes the key only while it holds `expected` (compare-and-delete). */
  async deleteIfEquals(key: string, expected: unknown): Promise<boolean> {
    checkKey(key);
    const want = checkValue(expected, this.#kind, 'expected');
    return this.#op('deleteIfEquals', [key, expected], () => this.#holds(key, want) && this.#remove(key));
  }

  /** Sets a new ttl from now, only while the key holds `expected`. */
  async expireIfEquals(key: string, expected: unknown, ttlMs: number): Promise<boolean> {
    checkKey(key);
    const want = checkValue(expected, this.#kind, 'expected');
    const ttl = checkTtl(ttlMs, this.#ttl, true);
    return this.#op('expireIfEquals', [key, expected, ttlMs], () => {
      if (!this.#holds(key, want)) return false;
      this.#data.get(key)!.expiresAt = this.#expiry(ttl);
      return true;
    });
  }

  /** The value (null when absent) and its version: 0 for a key never written, +1 per write. */
  async getVersioned(key: string): Promise<{ value: unknown; version: number }> {
    checkKey(key);
    return this.#op('getVersioned', [key], () => ({ value: this.#read(key) ?? null, version: this.#versions.get(key) ?? 0 }));
  }

  /** Writes only when the key's version is still `version` (optimistic concurrency). */
  async setIfVersion(key: string, version: number, value: unknown, ttlMs?: number): Promise<boolean> {
    checkKey(key);
    checkVersion(version);
    const v = checkValue(value, this.#kind);
    const ttl = this.#checkTtl('setIfVersion', ttlMs);
    return this.#op('setIfVersion', [key, version, value, ttlMs], () => {
      this.#live(key);
      return (this.#versions.get(key) ?? 0) === version && this.#write(key, v, ttl);
    });
  }

  // ---- the test's side: synchronous, no latency, never exposed ----------------------------

  /** What the candidate may call: `ctx.expose(store.client(['incr', 'get', 'set']))`; a record renames. */
  client(ops: readonly KvOp[] | Record<string, KvOp>): Record<string, unknown> {
    return only(this as KvStore, ops);
  }

  /** The live value (undefined when absent), read without latency. */
  peek(key: string): unknown {
    return this.#read(key);
  }

  /** Live keys, in insertion order. */
  keys(): string[] {
    return [...this.#data.keys()].filter((k) => this.#live(k));
  }

  /**
   * Holds every call after its incoming latency until `until` opens: a latch the test opens, or a
   * number of calls arriving from now (then it opens itself, or `maxWaitMs` after the first held
   * call, so a burst smaller than announced never hangs the test).
   */
  hold(until: Latch | number, maxWaitMs = 50): Latch {
    const l = typeof until === 'number' ? latch() : until;
    this.#hold = { latch: l, until: typeof until === 'number' ? this.#arrived + until : Infinity, maxWaitMs, timer: false };
    return l;
  }

  /**
   * Runs `run` once, inside the first `op` call whose result satisfies `when`, after its atomic
   * step and before its answer leaves: the moment a check-then-act sits between check and act.
   */
  onceAfter(op: KvOp, when: (result: unknown, args: unknown[]) => boolean, run: () => Promise<void>): void {
    this.#hooks.push({ op, when, run });
  }

  // ---- internals --------------------------------------------------------------------------

  async #op<T>(op: KvOp, args: unknown[], atomic: () => T): Promise<T> {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    this.#arrive();
    await jitter(this.#ctx, this.#latency);
    if (this.#hold) await this.#waitHold(this.#hold);
    const result = atomic();
    const hook = this.#hooks.find((h) => h.op === op && h.when(result, args));
    if (hook) {
      this.#hooks = this.#hooks.filter((h) => h !== hook);
      await hook.run();
    }
    await jitter(this.#ctx, this.#latency);
    return result;
  }

  #arrive(): void {
    this.#arrived++;
    if (this.#hold && this.#arrived >= this.#hold.until) this.#hold.latch.open();
  }

  async #waitHold(hold: HoldState): Promise<void> {
    if (!hold.timer && hold.until !== Infinity) {
      hold.timer = true;
      void this.#ctx.sleep(hold.maxWaitMs).then(() => hold.latch.open());
    }
    await hold.latch.promise;
  }

  #checkTtl(op: KvOp, ttlMs: unknown): number | undefined {
    const required = typeof this.#requireTtl === 'boolean' ? this.#requireTtl : this.#requireTtl.includes(op);
    return checkTtl(ttlMs, this.#ttl, required);
  }

  #expiry(ttl: number | undefined): number | undefined {
    return ttl === undefined ? undefined : this.clock.now() + ttl;
  }

  #live(key: string): Entry | undefined {
    const e = this.#data.get(key);
    if (e && e.expiresAt !== undefined && this.clock.now() >= e.expiresAt) {
      this.#data.delete(key);
      return undefined;
    }
    return e;
  }

  #read(key: string): unknown {
    const e = this.#live(key);
    if (!e) return undefined;
    return this.#kind === 'json' ? structuredClone(e.value) : e.value;
  }

  #holds(key: string, expected: unknown): boolean {
    const e = this.#live(key);
    if (expected === null) return e === undefined;
    return e !== undefined && (this.#kind === 'json' ? deepEqual(e.value, expected) : e.value === expected);
  }

  #write(key: string, value: unknown, ttl: number | undefined, expiresAt = this.#expiry(ttl)): true {
    this.#data.set(key, { value, expiresAt });
    this.#versions.set(key, (this.#versions.get(key) ?? 0) + 1);
    return true;
  }

  #remove(key: string): boolean {
    return this.#live(key) !== undefined && this.#data.delete(key);
  }
}
