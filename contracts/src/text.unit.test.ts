import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StorableStringSchema, storable, unstorableTextReason } from './text';

describe('storable text', () => {
  it.each([
    ['a\u0000b', /NUL character.*index 1/],
    ['\ud800', /lone surrogate \(\\ud800 at index 0\)/],
    ['x\udfff', /lone surrogate \(\\udfff at index 1\)/],
    ['\udc00\ud800', /lone surrogate/],
  ])('refuses %j', (s, why) => {
    expect(unstorableTextReason(s)).toMatch(why);
    expect(StorableStringSchema.safeParse(s).success).toBe(false);
  });

  it.each(['', 'plain', 'é ü 漢字', '😀 a pair of surrogates', '\u0001\u001f control characters other than NUL'])('accepts %j', (s) => {
    expect(unstorableTextReason(s)).toBeUndefined();
    expect(StorableStringSchema.parse(s)).toBe(s);
  });

  it('keeps the checks of the schema it wraps, and says which check failed', () => {
    const url = storable(z.url());
    const r = url.safeParse('http://example.com/\u0000');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toMatch(/NUL/);
    expect(url.safeParse('not a url').success).toBe(false);
    expect(url.parse('https://example.com/a')).toBe('https://example.com/a');
  });
});
