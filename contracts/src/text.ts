import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `s` cannot be stored as PostgreSQL text or jsonb, or undefined when it can. PostgreSQL
 * rejects U+0000 outright; a lone UTF-16 surrogate is no character at all and would be stored
 * silently replaced by U+FFFD, so the text read back would differ from the text sent.
 */
export function unstorableTextReason(s: string): string | undefined {
  const nul = s.indexOf('\u0000');
  if (nul >= 0) return `must not contain a NUL character (U+0000; the first is at index ${nul})`;
  const lone = LONE_SURROGATE.exec(s);
  if (lone) return `must be valid Unicode: it has a lone surrogate (\\u${lone[0].charCodeAt(0).toString(16)} at index ${lone.index})`;
  return undefined;
}

/** Adds the storable-text check to a string schema; every string a request may send to PostgreSQL goes through it. */
export function storable<T extends z.ZodType<string>>(schema: T): T {
  return schema.superRefine((s, ctx) => {
    const why = unstorableTextReason(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  }) as T;
}

/** A string PostgreSQL can store as sent. */
export const StorableStringSchema = storable(z.string());
