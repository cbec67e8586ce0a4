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
import { decodeList, decodeValue, encodeValue, type Codec, type RefTag } from '../wire/codec';
import type { BodyOf, DriverOps, SubjectOps } from '../wire/ops';
import { type Handlers, RpcChannel, TRUSTED_PEER } from '../wire/RpcChannel';
import { parseEsbuildDiagnostics } from './diagnostics';

const ESBUILD = process.env.ASSAY_ESBUILD ?? '/opt/assay/bin/esbuild';
// Our files are ours alone (the reference solution must stay unreadable to the candidate), and
// the working directory is a tmpfs only this uid may enter, so we chdir after dropping to it.
process.umask(0o077);
process.chdir(process.env.ASSAY_WORKDIR ?? '/');
// First in line for the OOM killer (children inherit it): a memory bomb must never take the driver.
try {
  writeFileSync('/proc/self/oom_score_adj', '1000');
} catch {
  /* not on Linux: nothing to protect */
}
const DRIVER_OBJECT = Symbol('assay.driverObject');

/** Objects the driver holds references to, by id. */
const handles = new Map<number, unknown>();
let nextHandle = 1;
let exportsOf: Record<string, unknown> = {};

/** Prepared call batches for timing (complexity probes, latency benchmarks). */
interface Batch {
  fn: (...args: unknown[]) => unknown;
  self: unknown;
  argsList: unknown[][];
}
const batches = new Map<number, Batch>();

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
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { kind: 'load' as const });
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
    return encodeValue(await fn.apply(self, decodeList(args, codec)), codec);
  },
  prop: async ({ target, name }) => encodeValue((resolveTarget(target) as Record<string, unknown>)[name], codec),
  release: async ({ target, batches: ids }) => {
    if (target !== null) handles.delete(target);
    for (const id of ids) batches.delete(id);
    return null;
  },
  prepare: async ({ batch, target, method, argsList }) => {
    const { fn, self } = callable(resolveTarget(target), method);
    batches.set(batch, { fn, self, argsList: decodeList(argsList, codec) as unknown[][] });
    return null;
  },
  run: async ({ batch, count }) => runBatch(batch, count),
  gc: async ({ type }) => {
    (globalThis as { gc?: (o?: { type: string; execution: string }) => void }).gc?.(
      type === 'minor' ? { type: 'minor', execution: 'sync' } : undefined,
    );
    return null;
  },
};

/** Runs `count` calls of a prepared batch back to back; the driver times the round trip. */
async function runBatch(id: number, count: number): Promise<number> {
  const b = batches.get(id);
  if (!b) throw new Error(`unknown batch ${id}`);
  const { fn, self, argsList } = b;
  const n = argsList.length;
  let sink = 0;
  for (let i = 0; i < count; i++) {
    const r = fn.apply(self, argsList[i % n]!);
    if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') await r;
    else if (r !== undefined) sink++;
  }
  return sink;
}

const socket = new net.Socket({ fd: 3, readable: true, writable: true });
const channel = new RpcChannel<SubjectOps, DriverOps>(socket, handlers, TRUSTED_PEER);
channel.onClose(() => process.exit(0));
// Candidate code may leave rejections unhandled; report them as a crash rather than dying silently.
process.on('unhandledRejection', (e) => {
  process.stderr.write(`unhandled rejection in candidate code: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(70);
});
