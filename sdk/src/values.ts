/** Comparing and showing values as they cross the boundary (JSON plus undefined, NaN, bigint). */

/**
 * Structural equality: `Object.is` for primitives (so NaN equals NaN, 0 and -0 differ), arrays
 * element by element, plain objects key by key in any order. A key set to `undefined` is not the
 * same as a missing key.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}

/** A short, readable rendering for failure messages (capped at `max` characters). */
export function show(v: unknown, max = 200): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * The fields a statement defines, from whatever the candidate returned: extra fields are
 * tolerated, missing ones read as `undefined`. A non-object is returned as it is, so comparing
 * it with an object fails and shows what came back.
 */
export function pick<K extends string>(value: unknown, keys: readonly K[]): Record<K, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value as Record<K, unknown>;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Record<K, unknown>;
}
