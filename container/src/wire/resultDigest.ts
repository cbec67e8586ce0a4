/**
 * The digest of a timed batch: what the subject answers instead of the batch's results, so the
 * driver can check every timed call without the results crossing the wire (which would cost
 * more than the calls). It is FNV-1a over the 32-bit hash of each result, in call order, so it
 * can also be computed from results fetched one at a time (`addToDigest` over `hashResult`).
 * Cheap on purpose: a few nanoseconds per call, next to O(1) operations of a few tens.
 *
 * A result's hash follows the SDK's `deepEqual` for values as they cross the wire: `Object.is`
 * for primitives (NaN equals NaN, 0 and -0 differ), arrays element by element, plain objects key
 * by key in any order (a key set to `undefined` differs from a missing key), bigints by value.
 * Anything that crosses as a handle rather than as data (class instances, functions, Maps) hashes
 * as "a handle", whatever it holds; symbols as `undefined`, as the codec sends them.
 *
 * Shared by the subject (untrusted: it hashes there, inside the timed window) and the driver
 * (which hashes results it fetched itself). Types and arithmetic only.
 */

export const DIGEST_START = 0x811c9dc5;

export const FNV_PRIME = 0x01000193;
const MAX_HASH_DEPTH = 64;

/**
 * Feeds one result's hash into a batch digest: FNV-1a over 32-bit words (the hashes are already
 * well mixed), one multiply per call: this runs inside the timed window.
 */
export function addToDigest(digest: number, hash: number): number {
  return Math.imul(digest ^ hash, FNV_PRIME) >>> 0;
}

/** murmur3's finaliser: spreads every input bit over the output. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const mix = (a: number, b: number) => fmix((Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b) >>> 0);

const TAG = {
  undefined: 0x1f3d5b79,
  null: 0x2c4e6a88,
  true: 0x3a5c7e90,
  false: 0x4b6d8fa1,
  number: 0x5c7e9fb2,
  nan: 0x6d8fa0c3,
  string: 0x7e90b1d4,
  bigint: 0x8fa1c2e5,
  array: 0x90b2d3f6,
  object: 0xa1c3e407,
  handle: 0xb2d4f518,
  tooDeep: 0xc3e50629,
} as const;

/** The hash of `undefined` (and of symbols). */
export const UNDEFINED_HASH = TAG.undefined;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashString(s: string, tag: number): number {
  let h = tag;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return mix(h >>> 0, s.length);
}

/**
 * The hash of one result. `isData(o)` says whether an object crosses the wire as data (a plain
 * object or an array) rather than as a handle: each side passes the rule its codec follows.
 */
export function hashResult(value: unknown, isData: (o: object) => boolean): number {
  // Small on purpose, so it inlines into the timed loop: small integers (not -0) here, the rest
  // (exactly as `hashValue` would) in a call.
  if (typeof value === 'number' && (value | 0) === value && (value !== 0 || 1 / value > 0)) {
    let h = (value ^ INT_TAG) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
  return hashValue(value, isData, 0);
}

export const INT_TAG = 0x5c7e9fb2;
/** An int32's hash (what `hashResult` computes inline); every other number hashes its bits. */
const hashInt = (v: number) => fmix((v ^ INT_TAG) >>> 0);

function hashValue(value: unknown, isData: (o: object) => boolean, depth: number): number {
  switch (typeof value) {
    case 'number':
      if (value !== value) return TAG.nan;
      if ((value | 0) === value && (value !== 0 || 1 / value > 0)) return hashInt(value);
      f64[0] = value;
      return mix(mix(TAG.number, u32[0]!), u32[1]!);
    case 'string':
      return hashString(value, TAG.string);
    case 'boolean':
      return value ? TAG.true : TAG.false;
    case 'undefined':
    case 'symbol':
      return TAG.undefined;
    case 'bigint':
      return hashString(value.toString(), TAG.bigint);
    case 'function':
      return TAG.handle;
    case 'object':
      if (value === null) return TAG.null;
      if (depth >= MAX_HASH_DEPTH) return TAG.tooDeep;
      if (!isData(value)) return TAG.handle;
      return Array.isArray(value) ? hashArray(value, isData, depth) : hashObject(value as Record<string, unknown>, isData, depth);
  }
  return TAG.undefined;
}

function hashArray(a: unknown[], isData: (o: object) => boolean, depth: number): number {
  let h = mix(TAG.array, a.length);
  for (let i = 0; i < a.length; i++) h = mix(h, hashValue(a[i], isData, depth + 1));
  return h;
}

/** Keys in any order: the entries' hashes are summed, so no sort and no allocation per key. */
function hashObject(o: Record<string, unknown>, isData: (o: object) => boolean, depth: number): number {
  let sum = 0;
  let count = 0;
  for (const key of Object.keys(o)) {
    if (key === '__proto__') continue; // the decoder drops such keys
    sum = (sum + mix(hashString(key, TAG.object), hashValue(o[key], isData, depth + 1))) >>> 0;
    count++;
  }
  return mix(mix(TAG.object, count), sum);
}

/** What crosses the wire as data on the driver's side: arrays and plain objects. */
export function isPlainData(o: object): boolean {
  if (Array.isArray(o)) return true;
  const proto = Object.getPrototypeOf(o) as unknown;
  return proto === Object.prototype || proto === null;
}
