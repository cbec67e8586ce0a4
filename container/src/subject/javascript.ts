/**
 * The subject: runs as the candidate's uid (or the reference solution's) and loads their code
 * behind the protocol. It is the per-language adapter for TypeScript and JavaScript: both go
 * through esbuild (TypeScript syntax, ESM and CommonJS exports alike), then `import()`.
 *
 * Nothing here is trusted once candidate code has loaded: the driver checks every answer.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeList, decodeValue, encodeValue, errorToWire, type Codec, type RefTag } from '../wire/codec';
import type { BodyOf, DriverOps, SubjectOps } from '../wire/ops';
import { DIGEST_START, FNV_PRIME, hashResult, INT_TAG, UNDEFINED_HASH } from '../wire/resultDigest';
import { type Handlers, RpcChannel, TRUSTED_PEER } from '../wire/RpcChannel';
import { parseEsbuildDiagnostics } from './diagnostics';

const ESBUILD = process.env.ASSAY_ESBUILD ?? '/opt/assay/bin/esbuild';
// Our files are ours alone (the reference solution must stay unreadable to the candidate), and
// the working directory is a tmpfs only this uid may enter, so we chdir after dropping to it.
process.umask(0o077);
process.chdir(process.env.ASSAY_WORKDIR ?? '/');
// First in line for the OOM killer (children inherit it): a memory bomb must never take the driver.
// The driver sets a lower value for the reference solution, which candidate code must not get killed.
try {
  writeFileSync('/proc/self/oom_score_adj', process.env.ASSAY_OOM_SCORE_ADJ ?? '1000');
} catch {
  /* not on Linux: nothing to protect */
}
const DRIVER_OBJECT = Symbol('assay.driverObject');

/** Objects the driver holds references to, by id. */
const handles = new Map<number, unknown>();
let nextHandle = 1;
let exportsOf: Record<string, unknown> = {};

/** Prepared call batches for timing (complexity probes, latency benchmarks); a single call is one too. */
interface Calls {
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
interface Chain {
  every: number;
  arg: number;
  key: string;
  from: string;
}
interface Advance {
  args: number[];
  by: number;
}
interface Echo {
  args: number[];
  back: number[];
}
const batches = new Map<number, Calls>();
// Taken before candidate code loads, which may replace the globals.
const collectGarbage = (globalThis as { gc?: (o?: { type: string; execution: string }) => void }).gc;
const apply = Reflect.apply;

const codec: Codec = {
  tagObject(value: object): RefTag | undefined {
    const driverId = (value as { [DRIVER_OBJECT]?: number })[DRIVER_OBJECT];
    if (typeof driverId === 'number') return { $obj: driverId };
    const proto = Object.getPrototypeOf(value);
    const isPlain = Array.isArray(value) || proto === Object.prototype || proto === null;
    if (isPlain && typeof value !== 'function') return undefined;
    const id = nextHandle++;
    handles.set(id, value);
    return { $ref: id };
  },
  untag(tag) {
    if (typeof tag.$ref === 'number') return handles.get(tag.$ref);
    if (typeof tag.$obj === 'number') return driverObject(tag.$obj, Array.isArray(tag.methods) ? tag.methods : [], tag.callable === true);
    return undefined;
  },
};

/** A stand-in for a driver-owned object: every method is async and forwards to the driver. */
function driverObject(id: number, methods: unknown[], callable: boolean): unknown {
  const invoke = async (method: string, args: unknown[]) => {
    const res = await channel.request('invoke', { object: id, method, args: args.map((a) => encodeValue(a, codec)) });
    if (!res.ok) {
      const err = new Error(res.error.message);
      err.name = res.error.name;
      throw err;
    }
    return decodeValue(res.value, codec);
  };
  const target: Record<string | symbol, unknown> = callable
    ? (((...args: unknown[]) => invoke('', args)) as unknown as Record<string | symbol, unknown>)
    : {};
  for (const m of methods) if (typeof m === 'string') target[m] = (...args: unknown[]) => invoke(m, args);
  Object.defineProperty(target, DRIVER_OBJECT, { value: id });
  return Object.freeze(target);
}

function resolveTarget(ref: number | null): unknown {
  if (ref === null) return exportsOf;
  const target = handles.get(ref);
  if (target === undefined) throw new Error(`unknown object #${ref}`);
  return target;
}

function callable(target: unknown, method: string): { fn: (...a: unknown[]) => unknown; self: unknown } {
  if (method === '' && typeof target === 'function') return { fn: target as (...a: unknown[]) => unknown, self: undefined };
  const fn = (target as Record<string, unknown>)[method];
  if (typeof fn !== 'function') {
    const err = new TypeError(target === exportsOf ? `${method} is not an exported function` : `${method} is not a function`);
    throw err;
  }
  return { fn: fn as (...a: unknown[]) => unknown, self: target === exportsOf ? undefined : target };
}

function writeSources(dir: string, files: { path: string; content: string }[]): void {
  for (const f of files) {
    const dest = path.resolve(dir, 'src', f.path);
    if (!dest.startsWith(path.resolve(dir, 'src') + path.sep)) throw new Error(`refusing path ${f.path}`);
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, f.content);
  }
}

const REQUIRE_SHIM =
  "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);";

async function load({ files, entry }: BodyOf<SubjectOps, 'load'>): Promise<string[]> {
  const dir = process.cwd();
  writeSources(dir, files);
  const out = path.join(dir, 'out', 'bundle.mjs');
  const built = spawnSync(
    ESBUILD,
    [
      path.join('src', entry),
      '--bundle',
      '--format=esm',
      '--platform=node',
      '--target=node20',
      `--outfile=${out}`,
      '--log-level=error',
      '--color=false',
      '--packages=external',
      `--banner:js=${REQUIRE_SHIM}`,
    ],
    { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: '' } },
  );
  if (built.status !== 0) {
    const err = Object.assign(new Error('compilation failed'), {
      kind: 'compile' as const,
      diagnostics: parseEsbuildDiagnostics(built.stderr ?? '', String(built.error?.message ?? '')),
    });
    throw err;
  }
  try {
    const ns = (await import(pathToFileURL(out).href)) as Record<string, unknown>;
    exportsOf = mergeExports(ns);
  } catch (e) {
    // A fresh error: the thrown value may be frozen, a proxy, or have no prototype to convert it with.
    const { name, message } = errorToWire(e);
    throw Object.assign(new Error(message), { name, kind: 'load' as const });
  }
  return Object.keys(exportsOf);
}

/** ESM exports, plus what a CommonJS `module.exports` (bundled as the default export) holds. */
function mergeExports(ns: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const def = ns.default;
  if (typeof def === 'function' && def.name) merged[def.name] = def;
  if (def && (typeof def === 'object' || typeof def === 'function')) Object.assign(merged, def);
  for (const [k, v] of Object.entries(ns)) if (k !== 'default' || !(k in merged)) merged[k] = v;
  return merged;
}

const handlers: Handlers<SubjectOps> = {
  load,
  construct: async ({ className, args }) => {
    const cls = exportsOf[className];
    if (typeof cls !== 'function') throw new TypeError(`${className} is not an exported class`);
    const instance = new (cls as new (...a: unknown[]) => unknown)(...decodeList(args, codec));
    const id = nextHandle++;
    handles.set(id, instance);
    return { $ref: id };
  },
  call: async ({ target, method, args }) => {
    const { fn, self } = callable(resolveTarget(target), method);
    const kept: unknown[] = [];
    await perform(callsOf(fn, self, [decodeList(args, codec)], false), 1, kept);
    return encodeValue(kept[0], codec);
  },
  prop: async ({ target, name }) => {
    // Through the same path as a read-back's reads (`prepare` with `read`), like calls.
    const kept: unknown[] = [];
    await perform(callsOf(reader(resolveTarget(target), name), undefined, [[]], false), 1, kept);
    return encodeValue(kept[0], codec);
  },
  release: async ({ target, batches: ids }) => {
    if (target !== null) handles.delete(target);
    for (const id of ids) batches.delete(id);
    return null;
  },
  prepare: async ({ batch, target, method, argsList, hash, advance, echo, read, pick, chain }) => {
    const on = resolveTarget(target);
    const { fn, self } = read ? { fn: reader(on, method), self: undefined } : callable(on, method);
    const list = decodeList(argsList, codec) as unknown[][];
    if ((list.length === 0 && !echo) || !list.every(Array.isArray)) throw new TypeError('a batch needs a non-empty list of argument lists');
    if (advance && !list.every((args) => advance.args.every((i) => advanceable(args[i]))))
      throw new TypeError('advanced arguments must be numbers or strings ending in a number');
    if (chain && !(chain.every >= 1 && list.every((args) => isRecord(args[chain.arg]))))
      throw new TypeError('chained arguments must be objects');
    batches.set(batch, {
      ...callsOf(fn, self, list, hash !== false),
      advance: advance ?? null,
      echo: echo ?? null,
      pick: pick ?? null,
      chain: chain ?? null,
    });
    return null;
  },
  run: async ({ batch, count, then = [] }) => {
    const measured = batchOf(batch);
    const digests = [await perform(measured, count, null)];
    for (const [id, n] of then) {
      const readBack = batchOf(id);
      const calls = readBack.echo ? echoOf(readBack, readBack.echo, measured) : readBack;
      digests.push(await perform(calls, readBack.echo ? calls.argsList.length : n, null));
    }
    return digests;
  },
  gc: async ({ type }) => {
    collectGarbage?.(type === 'minor' ? { type: 'minor', execution: 'sync' } : undefined);
    return null;
  },
};

/** Reads a property (a getter runs): for `prop` and for read-backs alike. */
function reader(on: unknown, name: string): () => unknown {
  return () => (on as Record<string, unknown>)[name];
}

function callsOf(fn: (...args: unknown[]) => unknown, self: unknown, argsList: unknown[][], hash: boolean): Calls {
  return { fn, self, argsList, next: 0, made: 0, hash, advance: null, advanced: 0, echo: null, pick: null, chain: null, prev: undefined };
}

function batchOf(id: number): Calls {
  const b = batches.get(id);
  if (!b) throw new Error(`unknown batch ${id}`);
  return b;
}

/** The read-back's calls: the arguments (at `args`) of the calls `measured` made `back` calls before its last one. */
function echoOf(readBack: Calls, { args, back }: Echo, measured: Calls): Calls {
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
function crossesAsData(o: object): boolean {
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
function perform(calls: Calls, count: number, kept: unknown[] | null): Promise<number> {
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

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
const advanceable = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /(^|[^0-9])(0|[1-9][0-9]*)$/.test(v));

const socket = new net.Socket({ fd: 3, readable: true, writable: true });
const channel = new RpcChannel<SubjectOps, DriverOps>(socket, handlers, TRUSTED_PEER);
channel.onClose(() => process.exit(0));
// Candidate code may leave rejections unhandled; report them as a crash rather than dying silently.
process.on('unhandledRejection', (e) => {
  // Whatever was thrown (a proxy, a throwing getter), describing it must not throw here.
  const { name, message, stack } = errorToWire(e);
  process.stderr.write(`unhandled rejection in candidate code: ${stack ?? `${name}: ${message}`}\n`);
  process.exit(70);
});
