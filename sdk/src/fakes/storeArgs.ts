/** The store's argument checks: wrong types are a TypeError, numbers out of range a RangeError. */

/** What the store holds: strings only, finite numbers only, or any JSON-like value (not undefined). */
export type ValueKind = 'string' | 'number' | 'json';
/** Time to live: an integer >= 1 (Redis PX), or any finite number > 0. */
export type TtlRule = 'integer' | 'positive';

export function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`store keys must be strings, got ${describe(key)}`);
  return key;
}

export function checkValue(value: unknown, kind: ValueKind, what = 'value'): unknown {
  if (kind === 'string' && typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}`);
  if (kind === 'number' && (typeof value !== 'number' || !Number.isFinite(value)))
    throw new TypeError(`${what} must be a finite number, got ${describe(value)}`);
  if (value === undefined) throw new TypeError(`${what} must not be undefined`);
  return kind === 'json' ? structuredClone(value) : value;
}

export function checkTtl(ttlMs: unknown, rule: TtlRule, required: boolean): number | undefined {
  if (ttlMs === undefined && !required) return undefined;
  if (typeof ttlMs !== 'number') throw new TypeError(`ttlMs must be a number of milliseconds, got ${describe(ttlMs)}`);
  const ok = rule === 'integer' ? Number.isInteger(ttlMs) && ttlMs >= 1 : Number.isFinite(ttlMs) && ttlMs > 0;
  if (!ok) throw new RangeError(`ttlMs must be ${rule === 'integer' ? 'an integer >= 1' : 'a positive number'}, got ${ttlMs}`);
  return ttlMs;
}

export function checkVersion(version: unknown): number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    throw new TypeError(`version must be an integer >= 0, got ${describe(version)}`);
  return version;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v == null) return String(v);
  return typeof v;
}
