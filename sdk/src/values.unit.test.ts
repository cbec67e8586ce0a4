import { describe, expect, it } from 'vitest';
import { deepEqual, pick, show } from './values';

describe('deepEqual', () => {
  it('compares primitives with Object.is', () => {
    expect(deepEqual(NaN, NaN)).toBe(true);
    expect(deepEqual(0, -0)).toBe(false);
    expect(deepEqual(1, '1')).toBe(false);
    expect(deepEqual(null, undefined)).toBe(false);
    expect(deepEqual(10n, 10n)).toBe(true);
  });

  it('compares objects in any key order, arrays in order', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual([1, 2, 3], [3, 2, 1])).toBe(false);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
  });

  it('tells a missing key from one set to undefined, and arrays from array-like objects', () => {
    expect(deepEqual({ a: undefined }, {})).toBe(false);
    expect(deepEqual({}, { a: undefined })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual([undefined], [])).toBe(false);
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(false);
  });

  it('handles null against objects', () => {
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual({ a: null }, { a: {} })).toBe(false);
    expect(deepEqual({ a: null }, { a: null })).toBe(true);
  });
});

describe('show', () => {
  it('renders what JSON cannot', () => {
    expect(show(undefined)).toBe('undefined');
    expect(show(NaN)).toBe('NaN');
    expect(show(-Infinity)).toBe('-Infinity');
    expect(show(12n)).toBe('12n');
    expect(show({ n: 3n })).toBe('{"n":"3n"}');
  });

  it('caps long values and survives cycles', () => {
    expect(show('x'.repeat(500))).toHaveLength(201);
    expect(show('x'.repeat(500)).endsWith('…')).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(show(cyclic)).toBe('[object Object]');
  });
});

describe('pick', () => {
  it('keeps the named fields, reading missing ones as undefined', () => {
    expect(pick({ id: 1, name: 'a', extra: true }, ['id', 'name', 'due'])).toEqual({ id: 1, name: 'a', due: undefined });
  });

  it('returns non-objects as they are', () => {
    expect(pick(null, ['id'])).toBe(null);
    expect(pick('text', ['id'])).toBe('text');
    expect(pick([1], ['id'])).toEqual([1]);
  });
});
