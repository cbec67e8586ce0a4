/**
 * What a value becomes when it enters a result (a sample test's expected and actual): a plain
 * JSON copy made at that moment, size- and depth-capped. Whatever a test holds — a handle on a
 * candidate object (which would drag its process into the report), a driver-owned fake, a
 * bigint, a cycle — comes out as data the report can always be written with, and later changes
 * to the live value do not reach the result.
 */

export const RESULT_VALUE_LIMITS = {
  /** Rough JSON characters of one value; past it strings are cut and collections end early. */
  chars: 4096,
  depth: 12,
  /** Items of one array and keys of one object. */
  entries: 100,
  /** Characters of one key. */
  key: 100,
} as const;

/** How a handle on an SDK `Remote` is recognised (a registered symbol, as in @assay/sdk). */
const SDK_REMOTE = Symbol.for('assay.sdk.remote.raw');

/** An object may say what it stands for in a result (the driver's handles on candidate objects do). */
export const RESULT_DESCRIPTION = Symbol.for('assay.resultDescription');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Walk {
  /** Characters still allowed. */
  budget: number;
  /** Objects on the path from the root: meeting one again is a cycle. */
  path: Set<object>;
}

/** The result form of `value`; `undefined` stays `undefined` at the top (an absent field). */
export function toResultValue(value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  return snapshot(value, { budget: RESULT_VALUE_LIMITS.chars, path: new Set() }, 0);
}

function snapshot(value: unknown, walk: Walk, depth: number): Json {
  const leaf = (json: Json, chars: number) => {
    walk.budget -= chars;
    return json;
  };
  switch (typeof value) {
    case 'string': {
      const kept = value.slice(0, Math.max(0, walk.budget));
      return leaf(kept.length < value.length ? `${kept}… (${value.length - kept.length} more characters)` : kept, kept.length + 2);
    }
    case 'number':
      if (Object.is(value, -0)) return leaf('-0', 2);
      return Number.isFinite(value) ? leaf(value, String(value).length) : leaf(String(value), 9);
    case 'boolean':
      return leaf(value, 5);
    case 'bigint':
      return leaf(describe(`${value}n`), 40);
    case 'undefined':
      return leaf('[undefined]', 11);
    case 'symbol':
      return leaf(describe(symbolText(value)), 40);
    case 'function':
      return leaf(describe(`[function ${functionName(value)}]`), 40);
    case 'object':
      if (value === null) return leaf(null, 4);
      return objectSnapshot(value, walk, depth);
  }
  return leaf('[unknown]', 9);
}

function objectSnapshot(value: object, walk: Walk, depth: number): Json {
  if (walk.path.has(value)) return '[circular]';
  if (depth >= RESULT_VALUE_LIMITS.depth) return '[nested too deeply]';
  const kind = plainKind(value);
  if (kind === 'other') return describe(describeObject(value));
  walk.path.add(value);
  try {
    return kind === 'array' ? arraySnapshot(value as unknown[], walk, depth) : recordSnapshot(value, walk, depth);
  } catch {
    return '[unreadable]';
  } finally {
    walk.path.delete(value);
  }
}

function arraySnapshot(items: unknown[], walk: Walk, depth: number): Json[] {
  const out: Json[] = [];
  const length = items.length;
  for (let i = 0; i < length; i++) {
    if (i >= RESULT_VALUE_LIMITS.entries || walk.budget <= 0) {
      out.push(`[… ${length - i} more items]`);
      break;
    }
    out.push(snapshot(items[i], walk, depth + 1));
  }
  return out;
}

function recordSnapshot(value: object, walk: Walk, depth: number): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i >= RESULT_VALUE_LIMITS.entries || walk.budget <= 0) {
      out['…'] = `${keys.length - i} more keys`;
      break;
    }
    const key = keys[i]!.slice(0, RESULT_VALUE_LIMITS.key);
    walk.budget -= key.length + 3;
    // Defined, not assigned: a `__proto__` key stays an ordinary key.
    const item = snapshot((value as Record<string, unknown>)[keys[i]!], walk, depth + 1);
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Arrays and plain objects are copied; anything else (class instances, handles, proxies) is described. */
function plainKind(value: object): 'array' | 'record' | 'other' {
  try {
    const marked = value as { [SDK_REMOTE]?: unknown; [RESULT_DESCRIPTION]?: unknown };
    if (marked[SDK_REMOTE] !== undefined || marked[RESULT_DESCRIPTION] !== undefined) return 'other';
    if (Array.isArray(value)) return 'array';
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null ? 'record' : 'other';
  } catch {
    return 'other'; // a proxy whose traps throw, or a revoked one
  }
}

function describeObject(value: object): string {
  try {
    const own = (value as { [RESULT_DESCRIPTION]?: unknown })[RESULT_DESCRIPTION];
    if (typeof own === 'string') return own;
    if ((value as { [SDK_REMOTE]?: unknown })[SDK_REMOTE] !== undefined) return '[candidate object]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[Invalid Date]' : value.toISOString();
    if (value instanceof Error) return `[${value.name}: ${String(value.message).slice(0, 200)}]`;
    if (value instanceof Map) return `[Map of ${value.size}]`;
    if (value instanceof Set) return `[Set of ${value.size}]`;
    const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name ? `[${name.slice(0, 60)}]` : '[object]';
  } catch {
    return '[object]';
  }
}

function describe(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function symbolText(s: symbol): string {
  try {
    return s.toString();
  } catch {
    return 'Symbol()';
  }
}

function functionName(f: unknown): string {
  try {
    const name = (f as { name?: unknown }).name;
    return typeof name === 'string' && name ? name.slice(0, 60) : 'anonymous';
  } catch {
    return 'anonymous';
  }
}
