import { deepEqual, expect, fail, latch, test, until, show } from '@assay/sdk';
import { type Receipt, charge, receipt, setup, type Seen, seen, conflict, declined, respond } from './harness';

export const stress = [
  test('200 concurrent duplicates: exactly one charge, every caller gets its response', async (ctx) => {
    const { h, gateway } = await setup(ctx, 60_000, { jitterClock: true, maxLatencyMs: 8 });
    const req = charge('cus_rush', 2500);
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => seen(h.handle('checkout-42', req))));
    expect(gateway.requests.length, 'gateway calls for 200 concurrent duplicates').toBe(1);
    outcomes.forEach((o, i) => expect(o, `caller ${i} (expected the single charge's receipt)`).toEqual({ ok: receipt(1, req) }));
  }),
  test('60 keys with 6 concurrent duplicates each, shuffled: one charge per key', async (ctx) => {
    const { h, gateway } = await setup(ctx, 60_000, { jitterClock: true });
    const keys = ctx.rng.shuffle(Array.from({ length: 360 }, (_, i) => i % 60));
    const calls = keys.map((k) => ({ key: `k-${k}`, req: charge(`cus_${k}`, 100 + k) }));
    const outcomes = await Promise.all(calls.map((c) => seen(h.handle(c.key, c.req))));
    expect(gateway.requests.length, 'gateway calls').toBe(60);
    const byKey = new Map<string, unknown>();
    outcomes.forEach((o, i) => {
      const c = calls[i]!;
      if (!('ok' in o)) return fail(`handle("${c.key}") rejected with ${o.error}`);
      const r = o.ok as Receipt;
      if (r.customer !== c.req.customer || r.amountCents !== c.req.amountCents)
        fail(`handle("${c.key}") returned another key's receipt: ${show(r)}`);
      if (!byKey.has(c.key)) byKey.set(c.key, r);
      else if (!deepEqual(byKey.get(c.key), r))
        fail(`duplicates of "${c.key}" got different receipts: ${show(byKey.get(c.key))} and ${show(r)}`);
    });
  }),
  test('100 concurrent duplicates of a declined charge: they share one gateway call at a time, all see the error, a retry charges once', async (ctx) => {
    const { h, gateway } = await setup(ctx, 60_000, { jitterClock: true, maxLatencyMs: 8 });
    const req = charge('cus_broke', 99_000);
    gateway.declineWhen((r) => r.customer === 'cus_broke');
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => seen(h.handle('k', req))));
    // A failure is forgotten, so a duplicate arriving after it may try again; but a duplicate
    // arriving while a call is in flight must wait for it: never two calls at once.
    expect(gateway.maxInFlight, 'gateway calls in flight at the same time for one key').toBe(1);
    outcomes.forEach((o, i) => expect(o, `caller ${i}`).toEqual(declined));
    gateway.declineWhen(undefined);
    const before = gateway.requests.length;
    const retries = await Promise.all(Array.from({ length: 100 }, () => seen(h.handle('k', req))));
    expect(gateway.requests.length - before, 'gateway calls for 100 concurrent retries once the card works').toBe(1);
    retries.forEach((o, i) => expect(o, `retry ${i}`).toEqual({ ok: receipt(1, req) }));
  }),
  test('conflicting requests that arrive while the first is in flight are rejected', async (ctx) => {
    const { h, gateway } = await setup(ctx, 60_000, { jitterClock: true });
    const gate = latch();
    gateway.hold(gate, true);
    const req = charge('cus_kim', 300);
    const first = seen(h.handle('k', req));
    await until(ctx, () => gateway.requests.length > 0, 'the first request to reach the gateway', 500, 1);
    // the first charge is now held at the gateway until the gate opens
    const others = ctx.rng.shuffle([
      ...Array.from({ length: 40 }, (_, i) => ({ req: charge('cus_kim', 301 + i), conflict: true })),
      ...Array.from({ length: 40 }, () => ({ req, conflict: false })),
    ]);
    const pending = Promise.all(others.map((o) => seen(h.handle('k', o.req))));
    await ctx.sleep(30);
    gate.open();
    const outcomes = await pending;
    expect(await first, 'first request').toEqual({ ok: receipt(1, req) });
    expect(gateway.requests.length, 'gateway calls').toBe(1);
    outcomes.forEach((o, i) =>
      expect(o, `concurrent request ${i} (${others[i]!.conflict ? 'different amount' : 'duplicate'})`).toEqual(
        others[i]!.conflict ? conflict : { ok: receipt(1, req) },
      ),
    );
  }),
  test('a request still in flight when its key reaches ttlMs keeps the key until it settles', async (ctx) => {
    const { h, gateway, clock } = await setup(ctx, 1000);
    const gate = latch();
    gateway.hold(gate, true);
    const req = charge('cus_slow', 4500);
    const first = seen(h.handle('k', req));
    await until(ctx, () => gateway.requests.length > 0, 'the first request to reach the gateway', 1000, 1);
    const later: { what: string; call: Promise<Seen>; expected: Seen }[] = [];
    for (const [step, at] of [
      [1000, 't+1000'],
      [4000, 't+5000'],
    ] as const) {
      clock.advance(step); // past the key's ttlMs, but its charge has not finished
      later.push({ what: `a duplicate at ${at}`, call: seen(h.handle('k', req)), expected: { ok: receipt(1, req) } });
      const call = seen(h.handle('k', charge('cus_slow', 100)));
      later.push({ what: `a different request at ${at}`, call, expected: conflict });
      await ctx.sleep(10);
    }
    await ctx.sleep(20);
    expect(gateway.requests.length, 'gateway calls while the first request is in flight past ttlMs').toBe(1);
    gate.open();
    expect(await first, 'first request').toEqual({ ok: receipt(1, req) });
    for (const l of later) expect(await l.call, `${l.what}, while the first request was in flight`).toEqual(l.expected);
    // it settled after firstRequestTime + ttlMs: the key has expired, so the next request is new
    (await respond(h, 'k', req, 'after the first request settled at t+5000')).toEqual(receipt(2, req));
    expect(gateway.requests.length, 'gateway calls').toBe(2);
  }),
];
