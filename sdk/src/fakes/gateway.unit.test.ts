import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latch } from '../concurrency';
import { fakeContext } from '../testing';
import { PaymentGateway } from './gateway';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Charge {
  customer: string;
  amountCents: number;
}

async function run<T>(p: Promise<T>): Promise<T> {
  const done = p.then(
    (v) => ({ v }),
    (e: unknown) => ({ e }),
  );
  await vi.runAllTimersAsync();
  const r = await done;
  if ('e' in r) throw r.e;
  return r.v;
}

describe('PaymentGateway', () => {
  it('counts requests and charges and numbers the receipts', async () => {
    const g = new PaymentGateway<Charge>(fakeContext(1));
    const a = await run(g.charge({ customer: 'ada', amountCents: 5 }));
    const b = await run(g.charge({ customer: 'bob', amountCents: 7 }));
    expect([a, b]).toEqual([
      { chargeId: 'ch_1', customer: 'ada', amountCents: 5 },
      { chargeId: 'ch_2', customer: 'bob', amountCents: 7 },
    ]);
    expect([g.requests.length, g.charges]).toEqual([2, 2]);
  });

  it('declines the next n, or by rule, with a named error', async () => {
    const g = new PaymentGateway<Charge>(fakeContext(1), { declineError: 'CardDeclined' });
    g.declineNext(1);
    await expect(run(g.charge({ customer: 'ada', amountCents: 1 }))).rejects.toMatchObject({ name: 'CardDeclined' });
    g.declineWhen((r) => r.customer === 'broke');
    await expect(run(g.charge({ customer: 'broke', amountCents: 1 }))).rejects.toMatchObject({ name: 'CardDeclined' });
    expect(await run(g.charge({ customer: 'ada', amountCents: 1 }))).toMatchObject({ chargeId: 'ch_1' });
    expect([g.requests.length, g.charges]).toEqual([3, 1]);
  });

  it('tracks the most requests in flight at once', async () => {
    const g = new PaymentGateway<Charge>(fakeContext(3), { latencyMs: [2, 6] });
    await run(Promise.all(Array.from({ length: 5 }, () => g.charge({ customer: 'c', amountCents: 1 }))));
    expect(g.maxInFlight).toBe(5);
    expect(g.inFlight).toBe(0);
  });

  it('holds the first request until the latch opens', async () => {
    const g = new PaymentGateway<Charge>(fakeContext(3), { latencyMs: 0 });
    const l = latch();
    g.hold(l, true);
    let first = false;
    const p = g.charge({ customer: 'first', amountCents: 1 }).then(() => (first = true));
    await run(g.charge({ customer: 'second', amountCents: 1 }));
    expect(first).toBe(false);
    l.open();
    await run(p);
    expect(first).toBe(true);
  });

  it('random failures follow the seed', async () => {
    const outcomes = async (seed: number) => {
      const g = new PaymentGateway<Charge>(fakeContext(seed), { failureRate: 0.5, latencyMs: 0 });
      const results: boolean[] = [];
      for (let i = 0; i < 20; i++)
        results.push(
          await run(
            g.charge({ customer: 'c', amountCents: i }).then(
              () => true,
              () => false,
            ),
          ),
        );
      return results;
    };
    const a = await outcomes(9);
    expect(await outcomes(9)).toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(2);
    expect(a.filter((x) => !x).length).toBeGreaterThan(2);
  });

  it('client exposes only the charging method, under the statement’s name', () => {
    const g = new PaymentGateway(fakeContext(1));
    expect(Object.keys(g.client('handle'))).toEqual(['handle']);
  });
});
