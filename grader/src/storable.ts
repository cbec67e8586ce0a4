/**
 * A result as PostgreSQL's jsonb (and any strict JSON reader) will take it. Candidate text
 * reaches a result in many places — captured output, messages, expected and actual values,
 * diagnostics — and jsonb refuses a NUL character (`\u0000`) and a lone UTF-16 surrogate
 * outright, which would lose the whole result. `storable` makes every string (keys included)
 * well-formed and NUL-free, once, where the result is assembled.
 */

/** U+FFFD, what `String.prototype.toWellFormed` puts in place of a lone surrogate. */
const REPLACEMENT = '\uFFFD';
/** Beyond this, values are described instead of copied: JSON.stringify recurses on them. */
const MAX_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(LONE_SURROGATE, REPLACEMENT).replace(/\u0000/g, REPLACEMENT);
}

/** A copy of `value` in which every string is `storableText`; other JSON values are kept. */
export function storable<T>(value: T): T {
  return copy(value, 0) as T;
}

function copy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) return value.map((v) => copy(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Defined, not assigned: a `__proto__` key stays an ordinary key.
    Object.defineProperty(out, storableText(k), { value: copy(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
