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
import { type Handlers, RpcChannel, TRUSTED_PEER } from '../wire/RpcChannel';
import { advanceable, callsOf, type Calls, DRIVER_OBJECT, echoOf, isRecord, perform } from './calls';
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

/** Objects the driver holds references to, by id. */
const handles = new Map<number, unknown>();
let nextHandle = 1;
let exportsOf: Record<string, unknown> = {};

/** Batches the driver prepared, by id. */
const batches = new Map<number, Calls>();
// Taken before candidate code loads, which may replace the globals.
const collectGarbage = (globalThis as { gc?: (o?: { type: string; execution: string }) => void }).gc;

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

function batchOf(id: number): Calls {
  const b = batches.get(id);
  if (!b) throw new Error(`unknown batch ${id}`);
  return b;
}

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
