/** What values become in a result: plain JSON, copied at once, capped, whatever they were. */
import { describe, expect, it } from 'vitest';
import { remote, type RemoteObject } from '@assay/sdk';
import { RESULT_DESCRIPTION, RESULT_VALUE_LIMITS, toResultValue } from './resultValue';

/** Like the driver's handle on a candidate object: it holds the subject process. */
class Handle {
  readonly [RESULT_DESCRIPTION] = '[candidate object]';
  constructor(readonly owner = { stderrTail: 'CANARY hidden test data', buffers: [Buffer.alloc(10)] }) {}
}

const json = (v: unknown) => JSON.parse(JSON.stringify(toResultValue(v))) as unknown;

describe('toResultValue', () => {
  it.each<[string, unknown, unknown]>([
    ['a string', 'text', 'text'],
    ['a number', 1.5, 1.5],
    ['null', null, null],
    ['a boolean', false, false],
    ['a plain object', { a: [1, { b: 'c' }] }, { a: [1, { b: 'c' }] }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 }],
    ['a bigint', 10n, '10n'],
    ['NaN', NaN, 'NaN'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['-0', -0, '-0'],
    ['undefined inside a list', [1, undefined], [1, '[undefined]']],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a function', function named() {}, '[function named]'],
    ['a handle on a candidate object', new Handle(), '[candidate object]'],
    ['a handle inside a list', [new Handle()], ['[candidate object]']],
    ['a class instance', new (class Store {})(), '[Store]'],
    ['a Map', new Map([[1, 2]]), '[Map of 1]'],
    ['a Date', new Date(0), '1970-01-01T00:00:00.000Z'],
    ['an Error', new RangeError('r'), '[RangeError: r]'],
    ['a Buffer', Buffer.from('CANARY'), '[Buffer]'],
  ])('%s', (_, value, expected) => {
    expect(json(value)).toEqual(expected);
  });

  it('undefined at the top stays undefined (the field is left out)', () => {
    expect(toResultValue(undefined)).toBeUndefined();
  });

  it('never reaches into what a handle holds', () => {
    expect(JSON.stringify(toResultValue({ got: new Handle() }))).not.toContain('CANARY');
  });

  it('a typed Remote (a proxy over a handle) is described, not walked', () => {
    const raw: RemoteObject = { call: () => Promise.resolve(1), prop: () => Promise.resolve('CANARY') };
    expect(toResultValue(remote(raw))).toBe('[candidate object]');
  });

  it('cycles and deep nesting end in a description', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(toResultValue(cyclic)).toEqual({ a: 1, self: '[circular]' });
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const text = JSON.stringify(toResultValue(deep));
    expect(text).toContain('[nested too deeply]');
    expect(text.length).toBeLessThan(200);
  });

  it('a shared (not cyclic) object is copied each time', () => {
    const shared = { x: 1 };
    expect(toResultValue([shared, shared])).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('caps size: long strings, long lists, many keys', () => {
    const big = toResultValue({
      s: 'x'.repeat(1_000_000),
      list: Array.from({ length: 100_000 }, (_, i) => i),
      keys: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
      [`${'k'.repeat(10_000)}`]: 1,
    });
    expect(JSON.stringify(big).length).toBeLessThan(3 * RESULT_VALUE_LIMITS.chars);
    const b = big as Record<string, unknown>;
    expect(b.s).toMatch(/… \(\d+ more characters\)$/);
    expect(b['…']).toBe('3 more keys'); // the string used the whole budget
    const list = toResultValue(Array.from({ length: 100_000 }, (_, i) => i)) as unknown[];
    expect(list).toHaveLength(RESULT_VALUE_LIMITS.entries + 1);
    expect(list.at(-1)).toBe(`[… ${100_000 - RESULT_VALUE_LIMITS.entries} more items]`);
  });

  it('is a copy: later changes to the live value do not reach it', () => {
    const live = { n: 1, list: [1] };
    const snap = toResultValue(live);
    live.n = 2;
    live.list.push(2);
    expect(snap).toEqual({ n: 1, list: [1] });
  });

  it('a __proto__ key stays data', () => {
    const snap = toResultValue(JSON.parse('{"__proto__":{"polluted":1},"a":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(snap)).toBe(Object.prototype);
    expect(JSON.stringify(snap)).toBe('{"__proto__":{"polluted":1},"a":1}');
  });

  it('getters that throw and hostile proxies are described, never thrown', () => {
    const throwing = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const trap = () => {
      throw new Error('trap');
    };
    const hostile = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap, has: trap });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const v of [throwing, hostile, revoked.proxy, [hostile], { v: revoked.proxy }]) {
      expect(() => JSON.stringify(toResultValue(v))).not.toThrow();
    }
  });
});
