import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latch } from '../concurrency';
import { fakeContext } from '../testing';
import { ManualClock } from './clock';
import { KvStore } from './store';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs `work` to completion under fake timers. */
async function settle<T>(work: Promise<T>): Promise<T> {
  const done = work.then(
    (v) => ({ v }),
    (e: unknown) => ({ e }),
  );
  await vi.runAllTimersAsync();
  const r = await done;
  if ('e' in r) throw r.e;
  return r.v;
}

const store = (seed = 1, options = {}) => new KvStore(fakeContext(seed), options);

describe('KvStore: operations', () => {
  it('gets, sets, deletes', async () => {
    const s = store();
    expect(await settle(s.get('a'))).toBe(null);
    await settle(s.set('a', { n: 1 }));
    expect(await settle(s.get('a'))).toEqual({ n: 1 });
    expect(await settle(s.delete('a'))).toBe(true);
    expect(await settle(s.delete('a'))).toBe(false);
    expect(s.peek('a')).toBeUndefined();
  });

  it('keeps json values apart from what callers hold', async () => {
    const s = store();
    const v = { list: [1] };
    await settle(s.set('k', v));
    v.list.push(2);
    const read = (await settle(s.get('k'))) as { list: number[] };
    read.list.push(3);
    expect(s.peek('k')).toEqual({ list: [1] });
  });

  it('compare-and-set, compare-and-delete, compare-and-expire', async () => {
    const s = store(1, { values: 'string' });
    expect(await settle(s.compareAndSet('k', null, 'a'))).toBe(true);
    expect(await settle(s.compareAndSet('k', null, 'b'))).toBe(false);
    expect(await settle(s.compareAndSet('k', 'x', 'b'))).toBe(false);
    expect(await settle(s.compareAndSet('k', 'a', 'b'))).toBe(true);
    expect(await settle(s.deleteIfEquals('k', 'a'))).toBe(false);
    expect(await settle(s.expireIfEquals('k', 'b', 10))).toBe(true);
    s.clock.advance(10);
    expect(await settle(s.deleteIfEquals('k', 'b'))).toBe(false);
  });

  it('versions count writes and survive deletes', async () => {
    const s = store();
    expect(await settle(s.getVersioned('seat'))).toEqual({ value: null, version: 0 });
    expect(await settle(s.setIfVersion('seat', 0, { held: 'ada' }))).toBe(true);
    expect(await settle(s.setIfVersion('seat', 0, { held: 'bob' }))).toBe(false);
    expect(await settle(s.getVersioned('seat'))).toEqual({ value: { held: 'ada' }, version: 1 });
    await settle(s.delete('seat'));
    expect(await settle(s.getVersioned('seat'))).toEqual({ value: null, version: 1 });
    expect(await settle(s.setIfVersion('seat', 0, { held: 'eve' }))).toBe(false);
  });

  it('incr counts from 0 and refuses non-counters', async () => {
    const s = store();
    expect(await settle(s.incr('n'))).toBe(1);
    expect(await settle(s.incr('n'))).toBe(2);
    await settle(s.set('word', 'hello'));
    await expect(settle(s.incr('word'))).rejects.toThrow(TypeError);
  });
});

describe('KvStore: expiry on the test’s clock', () => {
  it('a key lives exactly ttlMs', async () => {
    const clock = new ManualClock(1000);
    const s = store(1, { clock });
    await settle(s.set('k', 'v', 500));
    clock.advanceTo(1499);
    expect(await settle(s.get('k'))).toBe('v');
    clock.advanceTo(1500);
    expect(await settle(s.get('k'))).toBe(null);
    expect(await settle(s.setIfAbsent('k', 'w'))).toBe(true);
  });

  it('incr sets the ttl only when it creates the key', async () => {
    const s = store();
    await settle(s.incr('c', 100));
    s.clock.advance(60);
    expect(await settle(s.incr('c', 100))).toBe(2);
    s.clock.advance(40);
    expect(await settle(s.incr('c', 100))).toBe(1);
  });

  it('set without a ttl clears the expiry', async () => {
    const s = store();
    await settle(s.set('k', 1, 10));
    await settle(s.set('k', 2));
    s.clock.advance(1_000_000);
    expect(s.peek('k')).toBe(2);
    expect(s.keys()).toEqual(['k']);
  });
});

describe('KvStore: argument checks', () => {
  it('wrong types are TypeErrors, out-of-range ttls RangeErrors', async () => {
    const s = store(1, { values: 'number', requireTtl: true });
    await expect(s.get(1 as unknown as string)).rejects.toThrow(TypeError);
    await expect(s.set('k', 'x', 10)).rejects.toThrow(TypeError);
    await expect(s.set('k', Number.NaN, 10)).rejects.toThrow(TypeError);
    await expect(s.set('k', 1)).rejects.toThrow(TypeError);
    await expect(s.incr('k', '10' as unknown as number)).rejects.toThrow(TypeError);
    await expect(s.incr('k', 0)).rejects.toThrow(RangeError);
    await expect(s.incr('k', 1.5)).rejects.toThrow(RangeError);
    await expect(s.setIfVersion('k', -1, 1)).rejects.toThrow(TypeError);
    await expect(store().set('k', undefined)).rejects.toThrow(TypeError);
    expect(s.calls).toEqual({});
  });

  it('a ttl may be required of some writes only', async () => {
    const s = store(1, { values: 'string', requireTtl: ['set', 'setIfAbsent'] });
    await expect(s.set('lock', 'me')).rejects.toThrow(TypeError);
    await expect(s.setIfAbsent('lock', 'me')).rejects.toThrow(TypeError);
    expect(await settle(s.incr('fence'))).toBe(1);
  });

  it('positive ttls may be fractional when the store says so', async () => {
    const s = store(1, { ttl: 'positive' });
    await settle(s.incr('k', 0.5));
    await expect(s.incr('k', 0)).rejects.toThrow(RangeError);
  });
});

describe('KvStore: atomicity under jitter', () => {
  it('concurrent incr hands out every number once', async () => {
    const s = store(7, { latencyMs: [0, 5] });
    const got = await settle(Promise.all(Array.from({ length: 100 }, () => s.incr('hits'))));
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('exactly one of many concurrent setIfAbsent / compareAndSet wins', async () => {
    const s = store(3, { latencyMs: [0, 5] });
    const claims = await settle(Promise.all(Array.from({ length: 50 }, (_, i) => s.setIfAbsent('lock', `w${i}`, 1000))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await settle(s.set('v', 0));
    const cas = await settle(Promise.all(Array.from({ length: 50 }, (_, i) => s.compareAndSet('v', 0, i + 1))));
    expect(cas.filter(Boolean)).toHaveLength(1);
  });

  it('a get-then-set across two calls loses updates: the jitter interleaves them', async () => {
    const s = store(11, { latencyMs: [0, 3] });
    await settle(s.set('n', 0));
    const racy = async () => {
      const n = (await s.get('n')) as number;
      await s.set('n', n + 1);
    };
    await settle(Promise.all(Array.from({ length: 20 }, racy)));
    expect(s.peek('n')).toBeLessThan(20);
  });
});

describe('KvStore: seeded determinism', () => {
  async function finishOrder(seed: number): Promise<number[]> {
    const s = store(seed, { latencyMs: [0, 4] });
    const order: number[] = [];
    await settle(Promise.all(Array.from({ length: 12 }, (_, i) => s.incr('k').then(() => order.push(i)))));
    return order;
  }

  it('the same seed gives the same interleaving; another seed another one', async () => {
    const a = await finishOrder(42);
    expect(await finishOrder(42)).toEqual(a);
    expect(await finishOrder(43)).not.toEqual(a);
  });
});

describe('KvStore: what the candidate gets, and the test’s hooks', () => {
  it('client exposes only the listed operations, optionally renamed', async () => {
    const s = store();
    const c = s.client(['incr', 'get']);
    expect(Object.keys(c)).toEqual(['incr', 'get']);
    expect(await settle((c.incr as (k: string) => Promise<number>)('x'))).toBe(1);
    const renamed = s.client({ get: 'getVersioned', compareAndSet: 'setIfVersion' });
    expect(await settle((renamed.get as (k: string) => Promise<unknown>)('x'))).toEqual({ value: 1, version: 1 });
    expect(() => s.client(['nope' as 'get'])).toThrow(TypeError);
  });

  it('hold(n) keeps every call until n have arrived', async () => {
    const s = store(5, { latencyMs: 0 });
    s.hold(3);
    const seen: unknown[] = [];
    const first = s.get('k').then((v) => seen.push(v));
    await vi.advanceTimersByTimeAsync(20);
    expect(seen).toEqual([]);
    const rest = [s.setIfAbsent('k', 'a'), s.get('k')];
    await settle(Promise.all([first, ...rest]));
    expect(seen).toEqual([null]);
  });

  it('hold(n) opens by itself after maxWaitMs', async () => {
    const s = store(5, { latencyMs: 0 });
    s.hold(100, 30);
    const p = s.get('k');
    await vi.advanceTimersByTimeAsync(29);
    let done = false;
    void p.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await settle(p);
  });

  it('hold(latch) keeps calls until the test opens it', async () => {
    const s = store(5, { latencyMs: 0 });
    const l = latch();
    s.hold(l);
    let done = false;
    const p = s.incr('k').then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    l.open();
    await settle(p);
    expect(s.peek('k')).toBe(1);
  });

  it('onceAfter runs inside the first matching call, between its step and its answer', async () => {
    const s = store(2, { values: 'string' });
    await settle(s.set('lock', 'mine', 1000));
    let during: unknown;
    s.onceAfter(
      'get',
      (v) => v === 'mine',
      async () => {
        s.clock.advance(1000);
        during = await s.setIfAbsent('lock', 'theirs', 1000);
      },
    );
    expect(await settle(s.get('lock'))).toBe('mine');
    expect(during).toBe(true);
    expect(await settle(s.get('lock'))).toBe('theirs');
  });
});
