/**
 * The value codec of the driver ↔ subject protocol: JSON with a few tagged forms.
 *   {$u:1} undefined (also symbols, and functions a side does not tag)
 *   {$n:'NaN'|'Infinity'|'-Infinity'|'-0'} a number JSON cannot carry (any other $n is undefined)
 *   {$big:'…'} a bigint (decoded only when it is 1–4000 decimal digits)
 *   {$ref:n} a subject-owned object · {$obj:n, methods:[…], callable} a driver-owned object
 *   {$esc:{…}} a plain object whose own keys look like a tag, so candidate data never passes for one
 * Decoding never trusts its input: it bounds depth, drops `__proto__` keys and leaves tags it
 * does not understand to the side's `Codec`.
 */
import type { Diagnostic } from '@assay/contracts';

declare const encodedBrand: unique symbol;
/** What `encodeValue` returns. Opaque, so a raw value cannot be put on the wire by mistake. */
export type Encoded = { readonly [encodedBrand]: true };

/** A tag for an object one side holds on behalf of the other, as the holder sends it. */
export type RefTag = { $ref: number } | { $obj: number; methods?: string[]; callable?: boolean };

/** A received tag: the fields are whatever the peer sent. */
export type ReceivedTag = { $ref?: unknown; $obj?: unknown; methods?: unknown; callable?: unknown };

export interface Codec {
  /** Turns an object that cannot cross as data into a tag (or returns undefined to copy it). */
  tagObject(value: object): RefTag | undefined;
  /** Turns a received tag back into a local value. */
  untag(tag: ReceivedTag): unknown;
}

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** For `load`: compile diagnostics or a load failure. */
  kind?: 'compile' | 'load';
  diagnostics?: Diagnostic[];
}

export const MAX_DEPTH = 64;
/** Diagnostics a load failure may carry (esbuild's parser keeps as many). */
export const MAX_DIAGNOSTICS = 50;

/** The only `$n` texts: anything else could smuggle an ordinary number past a check. */
const NUMBER_TAGS = new Set(['NaN', 'Infinity', '-Infinity', '-0']);

export function encodeValue(value: unknown, codec: Codec): Encoded {
  return encode(value, codec, 0) as Encoded;
}

function encode(value: unknown, codec: Codec, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply to send');
  switch (typeof value) {
    case 'undefined':
      return { $u: 1 };
    case 'number':
      // JSON turns -0 into 0, and the SDK's toBe (Object.is) tells them apart.
      if (Object.is(value, -0)) return { $n: '-0' };
      return Number.isFinite(value) ? value : { $n: String(value) };
    case 'bigint':
      return { $big: value.toString() };
    case 'string':
    case 'boolean':
      return value;
    case 'symbol':
      return { $u: 1 };
    case 'function': {
      const tag = codec.tagObject(value);
      return tag ?? { $u: 1 };
    }
    case 'object': {
      if (value === null) return null;
      const tag = codec.tagObject(value);
      if (tag) return tag;
      if (Array.isArray(value)) return value.map((v) => encode(v, codec, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = encode(v, codec, depth + 1);
      // Keys that look like our tags are escaped so candidate data can never pass for a tag.
      return isTagLike(out) ? { $esc: out } : out;
    }
  }
}

function isTagLike(o: Record<string, unknown>): boolean {
  return '$u' in o || '$n' in o || '$ref' in o || '$obj' in o || '$big' in o || '$esc' in o;
}

export function decodeValue(value: unknown, codec: Codec, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, codec, depth + 1));
  const o = value as Record<string, unknown>;
  if ('$u' in o) return undefined;
  if ('$n' in o) return typeof o.$n === 'string' && NUMBER_TAGS.has(o.$n) ? Number(o.$n) : undefined;
  if ('$big' in o) return typeof o.$big === 'string' && /^-?\d{1,4000}$/.test(o.$big) ? BigInt(o.$big) : undefined;
  if ('$ref' in o || '$obj' in o) return codec.untag(o);
  const src = '$esc' in o && typeof o.$esc === 'object' && o.$esc !== null ? (o.$esc as Record<string, unknown>) : o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === '__proto__') continue;
    out[k] = decodeValue(v, codec, depth + 1);
  }
  return out;
}

/** A list of call arguments, decoded; anything but an array is a protocol error. */
export function decodeList(value: unknown, codec: Codec): unknown[] {
  const list = decodeValue(value, codec);
  if (!Array.isArray(list)) throw new TypeError('expected a list of values');
  return list;
}

/**
 * What a thrown value becomes on the wire. Never throws: candidate throws may be anything
 * (proxies, throwing getters, objects as names); names and texts are capped.
 */
export function errorToWire(e: unknown, maxLength = 2000): WireError {
  const read = (key: string) => readSafely(e, key);
  if (!isErrorLike(e)) return { name: 'Error', message: `non-error thrown: ${safeText(e, maxLength)}` };
  const name = read('name');
  const stack = read('stack');
  const kind = read('kind');
  const diagnostics = read('diagnostics');
  return {
    name: name === undefined || name === null ? 'Error' : safeText(name, 100),
    message: safeText(read('message') ?? '', maxLength),
    stack: typeof stack === 'string' ? stack.slice(0, maxLength) : undefined,
    ...(kind === 'compile' || kind === 'load' ? { kind } : {}),
    ...(isArray(diagnostics) ? { diagnostics: copyDiagnostics(diagnostics as unknown[], maxLength) } : {}),
  };
}

/** Copies of the first diagnostics, field by field: whatever they held, the copies are well-formed. */
function copyDiagnostics(list: unknown[], maxLength: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (let i = 0; i < Math.min(safeLength(list), MAX_DIAGNOSTICS); i++) {
    const d = readSafely(list, i);
    if (typeof d !== 'object' || d === null) continue;
    const [file, line, column, message] = ['file', 'line', 'column', 'message'].map((k) => readSafely(d, k));
    const int = (v: unknown) => (Number.isInteger(v) ? (v as number) : 0);
    out.push({
      file: typeof file === 'string' ? file.slice(0, 200) : '',
      line: int(line),
      column: int(column),
      message: safeText(message ?? '', maxLength),
    });
  }
  return out;
}

function readSafely(o: unknown, key: string | number): unknown {
  try {
    return typeof o === 'object' && o !== null ? (o as Record<string | number, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

function safeLength(list: unknown[]): number {
  const n = readSafely(list, 'length');
  return typeof n === 'number' && n >= 0 ? n : 0;
}

function isErrorLike(e: unknown): boolean {
  try {
    return e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e);
  } catch {
    return false; // a proxy whose traps throw
  }
}

function isArray(x: unknown): boolean {
  try {
    return Array.isArray(x);
  } catch {
    return false; // a revoked proxy
  }
}

/** `String(x)` capped, or a placeholder when converting throws (null prototypes, throwing toString). */
export function safeText(x: unknown, maxLength: number): string {
  try {
    const text = typeof x === 'string' ? x : String(x);
    return typeof text === 'string' ? text.slice(0, maxLength) : '[unprintable]';
  } catch {
    return '[unprintable]';
  }
}
