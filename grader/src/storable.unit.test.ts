/** Every string of a result made well-formed and NUL-free, so PostgreSQL's jsonb takes it. */
import { describe, expect, it } from 'vitest';
import { storable, storableText } from './storable';

const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('storableText', () => {
  it.each<[string, string, string]>([
    ['plain text', 'hello', 'hello'],
    ['a NUL', 'a\u0000b', 'a\uFFFDb'],
    ['a lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
    ['a lone low surrogate', 'a\uDC00b', 'a\uFFFDb'],
    ['a high surrogate at the end', 'a\uD83D', 'a\uFFFD'],
    ['two high surrogates, then a low one', '\uD800\uD83D\uDE00', '\uFFFD😀'],
    ['a pair (kept)', '🙂', '🙂'],
    ['a reversed pair', '\uDE42\uD83D', '\uFFFD\uFFFD'],
  ])('%s', (_, input, output) => {
    expect(storableText(input)).toBe(output);
  });
});

describe('storable', () => {
  it('cleans every string, keys included, at any depth, and keeps the rest', () => {
    const out = storable({ a: ['x\u0000', { 'k\uD800': 'v\uDC00', n: 1, b: true, z: null }], s: 'ok' });
    expect(out).toEqual({ a: ['x\uFFFD', { 'k\uFFFD': 'v\uFFFD', n: 1, b: true, z: null }], s: 'ok' });
    const text = JSON.stringify(out);
    expect(text).not.toContain('\\u0000');
    // JSON.stringify writes a lone surrogate as an escape; a well-formed string has none.
    expect(text).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    expect(hasLoneSurrogate(text)).toBe(false);
  });

  it('keeps a __proto__ key as data', () => {
    const out = storable(JSON.parse('{"__proto__":{"x":"\\u0000"}}') as object);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":"\uFFFD"}}');
  });

  it('describes values nested past the limit instead of recursing on them', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(JSON.stringify(storable(deep))).toContain('[nested too deeply]');
  });
});
