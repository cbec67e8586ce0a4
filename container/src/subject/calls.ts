/**
 * How the subject calls candidate code: a single call and a prepared batch go through the same
 * path (`perform`), entered from a fresh microtask, so a call sees the same stack whether it is
 * timed or not. Results are kept (single calls) or folded into the batch's digest, which the
 * driver compares with the reference's; the common loop adds nothing per call that would weigh
 * on O(1) operations.
 */
import { DIGEST_START, FNV_PRIME, hashResult, INT_TAG, UNDEFINED_HASH } from '../wire/resultDigest';

export const DRIVER_OBJECT = Symbol('assay.driverObject');

/** Prepared call batches for timing (complexity probes, latency benchmarks); a single call is one too. */
export interface Calls {
  fn: (...args: unknown[]) => unknown;
  self: unknown;
  argsList: unknown[][];
  /** Where the next run starts: each run continues where the last one stopped. */
  next: number;
  /** Calls made so far. */
  made: number;
  /** Whether results go into the digest (false: the result is left open). */
  hash: boolean;
  /** Added to these arguments of every entry after each full pass. */
  advance: Advance | null;
  /** Passes whose advance the entries have had. */
  advanced: number;
  /** A read-back that calls with the arguments of calls the measured batch made. */
  echo: Echo | null;
  /** The property of each result the digest covers (null: the whole result). */
  pick: string | null;
  /** Entries whose argument takes a property of the previous call's result. */
  chain: Chain | null;
  /** The previous call's result, for `chain`. */
  prev: unknown;
}
export interface Chain {
  every: number;
  arg: number;
  key: string;
  from: string;
}
export interface Advance {
  args: number[];
  by: number;
}
export interface Echo {
  args: number[];
  back: number[];
}

// Taken before candidate code loads, which may replace the globals.
const apply = Reflect.apply;

export function callsOf(fn: (...args: unknown[]) => unknown, self: unknown, argsList: unknown[][], hash: boolean): Calls {
  return { fn, self, argsList, next: 0, made: 0, hash, advance: null, advanced: 0, echo: null, pick: null, chain: null, prev: undefined };
}

/** The read-back's calls: the arguments (at `args`) of the calls `measured` made `back` calls before its last one. */
export function echoOf(readBack: Calls, { args, back }: Echo, measured: Calls): Calls {
  const { argsList: list, advance } = measured;
  const argsList: unknown[][] = [];
  for (const b of back) {
    const call = measured.made - b;
    if (call < 0) continue;
    const entry = list[call % list.length]!;
    // The entry has moved on since, by every pass completed after that call.
    const moved = advance ? advance.by * (measured.advanced - Math.floor(call / list.length)) : 0;
    argsList.push(args.map((i) => (advance?.args.includes(i) ? advanced(entry[i], -moved) : entry[i])));
  }
  return { ...readBack, argsList, next: 0, echo: null };
}

/** How results cross the wire as data (as `codec.tagObject` decides), for the digest. */
export function crossesAsData(o: object): boolean {
  if (typeof (o as { [DRIVER_OBJECT]?: number })[DRIVER_OBJECT] === 'number') return false;
  const proto = Object.getPrototypeOf(o) as unknown;
  return Array.isArray(o) || proto === Object.prototype || proto === null;
}

/**
 * Every call of candidate code the driver asks for goes through here, a single call as a batch
 * of one, entered from a fresh microtask: a call sees the same stack whether it is timed or not.
 * Results are kept (single calls) or folded into the batch's digest, which the driver compares
 * with the reference's; nothing is added per call that would weigh on O(1) operations.
 */
export function perform(calls: Calls, count: number, kept: unknown[] | null): Promise<number> {
  return new Promise((resolve, reject) => queueMicrotask(() => callEach(calls, count, kept).then(resolve, reject)));
}

/** Where a run of calls is: kept between the synchronous stretches of `callSync`. */
interface Progress {
  digest: number;
  at: number;
  done: number;
  /** A call answered a thenable: `callEach` awaits it, then the calls go on. */
  thenable: PromiseLike<unknown> | null;
}

async function callEach(calls: Calls, count: number, kept: unknown[] | null): Promise<number> {
  const p: Progress = { digest: DIGEST_START, at: calls.next, done: 0, thenable: null };
  for (;;) {
    callSync(calls, count, kept, p);
    if (!p.thenable) break;
    const r = await p.thenable;
    p.thenable = null;
    calls.prev = r;
    if (kept) kept.push(r);
    else if (calls.hash) p.digest = Math.imul(p.digest ^ hashResult(picked(r, calls.pick), crossesAsData), FNV_PRIME) >>> 0;
  }
  calls.next = p.at;
  calls.made += count;
  return p.digest;
}

/**
 * The calls themselves, synchronously until one answers a thenable: the digest stays in a
 * register (in an async function it would be boxed on every call, which costs more than the
 * hashing). The common results are hashed inline: small integers and undefined.
 */
function callSync(calls: Calls, count: number, kept: unknown[] | null, p: Progress): void {
  if (calls.chain || calls.pick !== null) return callShaped(calls, count, kept, p);
  const { fn, self, argsList: list, hash, advance } = calls;
  let { digest, at, done } = p;
  while (done < count) {
    const r = apply(fn, self, list[at]!);
    if (++at === list.length) {
      at = 0;
      if (advance) {
        advanceAll(list, advance);
        calls.advanced++;
      }
    }
    done++;
    if (((typeof r === 'object' && r !== null) || typeof r === 'function') && typeof (r as { then?: unknown }).then === 'function') {
      p.thenable = r as PromiseLike<unknown>;
      break;
    }
    if (kept) kept.push(r);
    else if (hash) {
      let h: number;
      if (typeof r === 'number' && (r | 0) === r && (r !== 0 || 1 / r > 0)) {
        h = (r ^ INT_TAG) >>> 0;
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
        h = (h ^ (h >>> 16)) >>> 0;
      } else h = r === undefined ? UNDEFINED_HASH : hashResult(r, crossesAsData);
      digest = Math.imul(digest ^ h, FNV_PRIME) >>> 0;
    }
  }
  p.digest = digest;
  p.at = at;
  p.done = done;
}

/**
 * `callSync` for batches whose calls go on from the previous result (`chain`) or whose digest
 * covers one property of each result (`pick`): apart, so that the common loop stays as lean.
 */
function callShaped(calls: Calls, count: number, kept: unknown[] | null, p: Progress): void {
  const { fn, self, argsList: list, hash, advance, chain, pick } = calls;
  let { digest, at, done } = p;
  while (done < count) {
    const r = apply(fn, self, chain && at % chain.every === chain.every - 1 ? chained(list[at]!, chain, calls.prev) : list[at]!);
    if (++at === list.length) {
      at = 0;
      if (advance) {
        advanceAll(list, advance);
        calls.advanced++;
      }
    }
    done++;
    if (((typeof r === 'object' && r !== null) || typeof r === 'function') && typeof (r as { then?: unknown }).then === 'function') {
      p.thenable = r as PromiseLike<unknown>;
      break;
    }
    calls.prev = r;
    if (kept) kept.push(r);
    else if (hash) digest = Math.imul(digest ^ hashResult(picked(r, pick), crossesAsData), FNV_PRIME) >>> 0;
  }
  p.digest = digest;
  p.at = at;
  p.done = done;
}

/** An entry's arguments with, at `chain.key` of argument `chain.arg`, the previous result's `chain.from`. */
function chained(entry: unknown[], chain: Chain, prev: unknown): unknown[] {
  const args = entry.slice();
  const from = isRecord(prev) ? prev[chain.from] : undefined;
  args[chain.arg] = { ...(entry[chain.arg] as Record<string, unknown>), [chain.key]: from };
  return args;
}

/** The part of a result the digest covers. */
function picked(r: unknown, key: string | null): unknown {
  return key === null ? r : isRecord(r) ? r[key] : undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** One pass over a batch is done: its advancing arguments move on (once per pass, not per call). */
function advanceAll(list: unknown[][], { args, by }: Advance): void {
  for (const entry of list) for (const i of args) entry[i] = advanced(entry[i], by);
}

/** A number grown by `by`; a string ending in a decimal number with that number grown (`item-7` → `item-1007`). */
function advanced(value: unknown, by: number): unknown {
  if (typeof value === 'number') return value + by;
  const s = value as string;
  let cut = s.length;
  while (cut > 0 && s.charCodeAt(cut - 1) >= 48 && s.charCodeAt(cut - 1) <= 57) cut--;
  return s.slice(0, cut) + String(Number(s.slice(cut)) + by);
}

// No leading zeros: the number must read back as it was written (`echo` steps it back).
export const advanceable = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /(^|[^0-9])(0|[1-9][0-9]*)$/.test(v));
