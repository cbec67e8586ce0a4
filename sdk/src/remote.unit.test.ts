import { describe, expect, it } from 'vitest';
import { rawOf, remote, typedSubject, type Remote } from './remote';
import { localRemote, localSubject } from './testing';

class Cache {
  private readonly map = new Map<number, string>();
  constructor(readonly capacity: number) {}
  get size(): number {
    return this.map.size;
  }
  put(k: number, v: string): void {
    this.map.set(k, v);
  }
  get(k: number): string | undefined {
    return this.map.get(k);
  }
  fail(): never {
    throw new RangeError('bad');
  }
}

describe('Remote<T>', () => {
  it('calls methods and reads properties and getters', async () => {
    const raw = localRemote(new Cache(2));
    const cache = remote<Cache>(raw);
    await cache.put(1, 'a');
    expect(await cache.get(1)).toBe('a');
    expect(await cache.size).toBe(1);
    expect(await cache.capacity).toBe(2);
    expect(raw.log).toEqual(['call put', 'call get', 'prop size', 'prop capacity']);
  });

  it('reads a property only when it is awaited, once per access', async () => {
    const raw = localRemote(new Cache(2));
    const cache = remote<Cache>(raw);
    const size = cache.size;
    expect(raw.log).toEqual([]);
    expect(await size).toBe(0);
    expect(await size).toBe(0);
    expect(raw.log).toEqual(['prop size']);
    expect(await cache.size.then((n) => n + 1)).toBe(1);
  });

  it('is not a thenable, so it can be awaited and returned from async functions', async () => {
    const cache = remote<Cache>(localRemote(new Cache(1)));
    expect((cache as unknown as { then?: unknown }).then).toBeUndefined();
    const same = await (async () => cache)();
    expect(same).toBe(cache);
    expect(await Promise.resolve(cache)).toBe(cache);
  });

  it('never calls out for symbols or JSON', () => {
    const raw = localRemote(new Cache(1));
    const cache = remote<Cache>(raw);
    expect((cache as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect(JSON.stringify(cache)).toBe('{}');
    expect(String((cache as unknown as Record<symbol, unknown>)[Symbol.toPrimitive])).toBe('undefined');
    expect(raw.log).toEqual([]);
  });

  it('rejects with the candidate’s error', async () => {
    const cache = remote<Cache>(localRemote(new Cache(1)));
    await expect(cache.fail()).rejects.toMatchObject({ remote: true, remoteName: 'RangeError' });
  });

  it('keeps the raw handle, and cannot be assigned to', () => {
    const raw = localRemote(new Cache(1));
    const cache = remote<Cache>(raw);
    expect(rawOf(cache)).toBe(raw);
    expect(rawOf(raw)).toBe(raw);
    expect(() => ((cache as unknown as Record<string, unknown>).size = 3)).toThrow(TypeError);
  });

  it('passes remote arguments as raw handles, also nested', async () => {
    const seen: unknown[] = [];
    const raw = { call: async (_m: string, ...args: unknown[]) => seen.push(...args), prop: async () => undefined };
    const other = localRemote(new Cache(1));
    const r = remote<{ merge(x: unknown, y: unknown, z: unknown): void }>(raw);
    const exposed = { __exposed: { now: () => 1 } };
    await r.merge(remote(other), [{ inner: remote(other) }], exposed);
    expect(seen[0]).toBe(other);
    expect(seen[1]).toEqual([{ inner: other }]);
    expect(seen[2]).toBe(exposed);
  });
});

describe('typedSubject', () => {
  it('constructs typed remote objects and calls typed functions', async () => {
    const subject = localSubject({ Cache, isBalanced: (s: string) => s === '()' });
    const { construct, fn } = typedSubject(subject);
    const cache: Remote<Cache> = await construct<Cache>('Cache', 3);
    expect(await cache.capacity).toBe(3);
    const isBalanced = fn<(s: string) => boolean>('isBalanced');
    expect(await isBalanced('()')).toBe(true);
    expect(await isBalanced(')(')).toBe(false);
    await construct('Cache', cache);
    expect(subject.args.at(-1)![0]).toBe(rawOf(cache));
  });
});
