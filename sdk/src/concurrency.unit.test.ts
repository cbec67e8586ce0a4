import { describe, expect, it } from 'vitest';
import { concurrently, latch, repeat } from './concurrency';

describe('concurrently', () => {
  it('keeps at most `limit` in flight and returns results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await concurrently(
      20,
      async (i) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        return i * 2;
      },
      4,
    );
    expect(most).toBe(4);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('runs everything at once by default, and rejects with a failure', async () => {
    let started = 0;
    const gate = latch();
    const all = concurrently(10, async () => {
      started++;
      await gate.promise;
    });
    await Promise.resolve();
    expect(started).toBe(10);
    gate.open();
    await all;
    await expect(concurrently(3, async (i) => (i === 1 ? Promise.reject(new Error('no')) : i))).rejects.toThrow('no');
    await expect(concurrently(1, async () => 1, 0)).rejects.toThrow(RangeError);
  });
});

describe('latch', () => {
  it('says whether it is open', async () => {
    const l = latch();
    expect(l.opened).toBe(false);
    l.open();
    await l.promise;
    expect(l.opened).toBe(true);
    expect(repeat(3, 'x')).toEqual(['x', 'x', 'x']);
  });
});
