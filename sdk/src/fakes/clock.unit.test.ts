import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';

describe('ManualClock', () => {
  it('moves only when told, and never backwards', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    clock.advanceTo(1250);
    expect(clock.now()).toBe(1250);
    expect(() => clock.advanceTo(1249)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(1250);
  });

  it('wakes sleepers once their deadline has passed, earliest first', async () => {
    const clock = new ManualClock();
    const woke: string[] = [];
    const all = [
      clock.sleep(30).then(() => woke.push('30')),
      clock.sleep(10).then(() => woke.push('10')),
      clock.sleep(10).then(() => woke.push('10 again')),
    ];
    clock.advance(9);
    await Promise.resolve();
    expect(woke).toEqual([]);
    expect(clock.pending).toBe(3);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(woke).toEqual(['10', '10 again']);
    clock.advanceTo(100);
    await Promise.all(all);
    expect(woke).toEqual(['10', '10 again', '30']);
    expect(clock.pending).toBe(0);
    expect(clock.sleeps).toBe(3);
  });

  it('flush wakes everyone without moving time', async () => {
    const clock = new ManualClock(5);
    const p = clock.sleep(1_000_000);
    clock.flush();
    await p;
    expect(clock.now()).toBe(5);
  });
});
