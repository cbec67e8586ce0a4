/** The digest of timed results: equal exactly when the SDK's deepEqual says the values are, across the wire. */
import { describe, expect, it } from 'vitest';
import { deepEqual } from '@assay/sdk';
import { decodeValue, encodeValue, type Codec } from './codec';
import { addToDigest, DIGEST_START, hashResult, isPlainData } from './resultDigest';

const h = (v: unknown) => hashResult(v, isPlainData);
const plainCodec: Codec = { tagObject: () => undefined, untag: () => undefined };

describe('hashResult', () => {
  it.each<[string, unknown, unknown]>([
    ['key order', { a: 1, b: [2, { c: 'x' }] }, { b: [2, { c: 'x' }], a: 1 }],
    ['NaN', Number.NaN, Number.NaN],
    ['nested NaN', [Number.NaN], [Number('x')]],
    ['bigints by value', 10n ** 30n, BigInt('1' + '0'.repeat(30))],
    ['symbols as undefined', Symbol('s'), undefined],
  ])('equal: %s', (_, a, b) => {
    expect(h(a)).toBe(h(b));
  });

  it.each<[string, unknown, unknown]>([
    ['0 and -0', 0, -0],
    ['1 and "1"', 1, '1'],
    ['null and undefined', null, undefined],
    ['a key set to undefined and a missing key', { a: undefined }, {}],
    ['array order', [1, 2], [2, 1]],
    ['array and object', [1], { 0: 1 }],
    ['true and 1', true, 1],
    ['nested values', { a: { b: 1 } }, { a: { b: 2 } }],
    ['strings', 'ab', 'ba'],
    ['an empty string and an empty array', '', []],
    ['swapped keys and values', { a: 'b' }, { b: 'a' }],
  ])('different: %s', (_, a, b) => {
    expect(deepEqual(a, b)).toBe(false);
    expect(h(a)).not.toBe(h(b));
  });

  it('hashes what crosses as a handle as a handle, whatever it holds', () => {
    class Node {
      constructor(readonly v: number) {}
    }
    expect(h(new Node(1))).toBe(h(new Node(2)));
    expect(h(new Map([[1, 2]]))).toBe(h(() => 1));
    expect(h(new Node(1))).not.toBe(h({ v: 1 }));
  });

  it('a value and its copy through the codec hash the same (as the driver sees it)', () => {
    const values = [
      { id: 'x', tags: ['a', 'b'], n: -0, deep: { nan: Number.NaN, big: 12n, u: undefined } },
      [1, 'two', null, [3]],
      'text',
      7.5,
    ];
    for (const v of values) expect(h(decodeValue(JSON.parse(JSON.stringify(encodeValue(v, plainCodec))), plainCodec))).toBe(h(v));
  });

  it('stops at a depth instead of recursing forever on a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => h(cycle)).not.toThrow();
  });
});

describe('addToDigest', () => {
  it('depends on every result and on their order', () => {
    const digest = (xs: unknown[]) => xs.reduce<number>((d, x) => addToDigest(d, h(x)), DIGEST_START);
    expect(digest([1, 2, 3])).toBe(digest([1, 2, 3]));
    expect(digest([1, 2, 3])).not.toBe(digest([1, 3, 2]));
    expect(digest([1, 2, 3])).not.toBe(digest([1, 2]));
    expect(digest([undefined])).not.toBe(digest([]));
    expect(digest([1, 2, 3])).toBeGreaterThanOrEqual(0);
    expect(digest([1, 2, 3])).toBeLessThanOrEqual(0xffffffff);
  });
});
