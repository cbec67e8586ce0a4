import { expect, expectRejects, latch, PaymentGateway, runModel, sample, test, until, show } from '@assay/sdk';
import {
  type Charge,
  type Receipt,
  charge,
  receipt,
  setup,
  handler,
  seen,
  ok,
  respond,
  asSeen,
  lookalikes,
  sameValues,
  withMeta,
  Rules,
} from './harness';

export const correctness = [
  sample('a repeated request with the same key charges once and gets the first response', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const req = charge('cus_ada');
    (await respond(h, 'key-1', req, 'first handle("key-1")')).toEqual(receipt(1, req));
    (await respond(h, 'key-1', req, 'second handle("key-1")')).toEqual(receipt(1, req));
    (await respond(h, 'key-1', req, 'third handle("key-1")')).toEqual(receipt(1, req));
    expect(gateway.requests.length, 'gateway calls').toBe(1);
  }),
  sample('different keys are independent, even with the same request', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const req = charge('cus_bob', 500);
    (await respond(h, 'order-1', req, 'handle("order-1")')).toEqual(receipt(1, req));
    (await respond(h, 'order-2', req, 'handle("order-2")')).toEqual(receipt(2, req));
    expect(gateway.requests.length, 'gateway calls').toBe(2);
  }),
  sample('reusing a key with a different request is rejected', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    await ok(h, 'key-7', charge('cus_cy', 1000), 'first request');
    await expectRejects(h.handle('key-7', charge('cus_cy', 9000)), 'IdempotencyConflictError', 'handle("key-7", different amount)');
    expect(gateway.requests.length, 'gateway calls').toBe(1);
  }),
  sample('a key expires ttlMs after its first request', async (ctx) => {
    const { h, gateway, clock } = await setup(ctx, 1000);
    const req = charge('cus_dee');
    (await respond(h, 'k', req, 'at t+0')).toEqual(receipt(1, req));
    clock.advance(999);
    (await respond(h, 'k', req, 'at t+999 (still remembered)')).toEqual(receipt(1, req));
    clock.advance(1);
    (await respond(h, 'k', req, 'at t+1000 (expired: a new charge)')).toEqual(receipt(2, req));
    expect(gateway.requests.length, 'gateway calls').toBe(2);
  }),

  test('keys are compared exactly: case, spaces and names like __proto__ make different keys', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const keys = ['key-1', 'KEY-1', 'Key-1', ' key-1', 'key-1 ', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const reqs = keys.map((_, i) => charge(`cus_${i}`, 100 + i));
    for (const [i, key] of keys.entries())
      (await respond(h, key, reqs[i], `handle(${JSON.stringify(key)}), a new key`)).toEqual(receipt(i + 1, reqs[i]!));
    for (const [i, key] of keys.entries())
      (await respond(h, key, reqs[i], `handle(${JSON.stringify(key)}) again`)).toEqual(receipt(i + 1, reqs[i]!));
    expect(gateway.requests.length, 'gateway calls (one per key)').toBe(keys.length);
  }),
  test('expiry counts from the first request; duplicates do not extend it', async (ctx) => {
    const { h, clock } = await setup(ctx, 5000);
    const req = charge('cus_eve');
    await ok(h, 'k', req, 'first request');
    for (const step of [1000, 1500, 2000]) {
      clock.advance(step);
      (await respond(h, 'k', req, `duplicate at +${step}`)).toEqual(receipt(1, req));
    }
    clock.advance(500); // 5000 after the first request
    (await respond(h, 'k', req, 'at exactly ttlMs after the first request')).toEqual(receipt(2, req));
    clock.advance(4999);
    (await respond(h, 'k', req, 'within the new window')).toEqual(receipt(2, req));
  }),
  test('after expiry the key may be used with a different request', async (ctx) => {
    const { h, clock, gateway } = await setup(ctx, 100);
    await ok(h, 'k', charge('cus_fay', 100), 'first request');
    clock.advance(100);
    const other = charge('cus_fay', 250);
    (await respond(h, 'k', other, 'new request after expiry')).toEqual(receipt(2, other));
    await expectRejects(h.handle('k', charge('cus_fay', 100)), 'IdempotencyConflictError', 'the old request is now the different one');
    expect(gateway.requests.length, 'gateway calls').toBe(2);
  }),
  test('a key expires on time while another key is still in flight', async (ctx) => {
    const { h, gateway, clock } = await setup(ctx, 1000);
    const gate = latch();
    gateway.hold(gate, true);
    const slowReq = charge('cus_slow', 100);
    const slow = seen(h.handle('slow', slowReq));
    await until(ctx, () => gateway.requests.length > 0, 'the first request to reach the gateway', 1000, 1);
    const [req, other] = [charge('cus_quick', 200), charge('cus_quick', 300)];
    (await respond(h, 'k', req, 'handle("k") at t+0')).toEqual(receipt(1, req));
    (await respond(h, 'j', req, 'handle("j") at t+0')).toEqual(receipt(2, req));
    clock.advance(999);
    (await respond(h, 'k', req, 'handle("k") at t+999')).toEqual(receipt(1, req));
    clock.advance(1);
    (await respond(h, 'k', req, 'handle("k") at t+1000 (expired: a new charge)')).toEqual(receipt(3, req));
    (await respond(h, 'j', other, 'handle("j", a different request) at t+1000 (expired)')).toEqual(receipt(4, other));
    gate.open();
    expect(await slow, 'the held request').toEqual({ ok: receipt(5, slowReq) });
  }),
  test('a failed request is not remembered: the error reaches the caller and a retry runs again', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const req = charge('cus_gus', 4200);
    gateway.declineNext();
    await expectRejects(h.handle('pay-1', req), 'CardDeclined', 'first attempt (declined by the gateway)');
    (await respond(h, 'pay-1', req, 'retry with the same key')).toEqual(receipt(1, req));
    (await respond(h, 'pay-1', req, 'duplicate after the success')).toEqual(receipt(1, req));
    expect(gateway.requests.length, 'gateway calls').toBe(2);
  }),
  test('after a failure the key is free for a different request too', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    gateway.declineNext();
    await expectRejects(h.handle('k', charge('cus_hal', 10)), 'CardDeclined', 'declined request');
    const other = charge('cus_hal', 20);
    (await respond(h, 'k', other, 'different request after the failure')).toEqual(receipt(1, other));
  }),
  test('requests are compared by value: field order does not matter, values do', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const a = { amountCents: 700, currency: 'USD', customer: 'cus_ivy', meta: { orderId: 'o-1', lines: [1, 2, 3] } };
    const reordered = { meta: { lines: [1, 2, 3], orderId: 'o-1' }, customer: 'cus_ivy', currency: 'USD', amountCents: 700 };
    const first = await ok(h, 'k', a, 'first request');
    (await respond(h, 'k', reordered, 'same request with fields in another order')).toEqual(first);
    expect(gateway.requests.length, 'gateway calls').toBe(1);
    for (const v of [
      { ...a, meta: { orderId: 'o-1', lines: [3, 2, 1] } },
      { ...a, meta: { orderId: 'o-1', lines: [1, 2, 3], note: 'x' } },
      { ...a, currency: 'usd' },
      { amountCents: 700, currency: 'USD', customer: 'cus_ivy' },
      { ...a, amountCents: '700' },
    ])
      await expectRejects(h.handle('k', v), 'IdempotencyConflictError', `handle("k", ${JSON.stringify(v)})`);
    (await respond(h, 'k', a, 'the original request still gets its response')).toEqual(first);
    expect(gateway.requests.length, 'gateway calls').toBe(1);
  }),
  test('different JSON values are different requests, even when they look alike', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    let calls = 0;
    for (const [i, [what, x, y]] of lookalikes.entries())
      for (const [first, second, dir] of [
        [x, y, 'ab'],
        [y, x, 'ba'],
      ] as const) {
        const key = `k-${i}-${dir}`;
        await ok(h, key, withMeta(first), `handle("${key}", meta: ${show(first)})`);
        calls++;
        const again = h.handle(key, withMeta(second));
        await expectRejects(again, 'IdempotencyConflictError', `${what}: meta ${show(first)}, then meta ${show(second)}`);
      }
    expect(gateway.requests.length, 'gateway calls (one per key)').toBe(calls);
  }),
  test('equal JSON values are the same request, whatever the order of fields at any depth', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    for (const [i, [what, x, y]] of sameValues.entries()) {
      const first = await ok(h, `k-${i}`, withMeta(x), `handle("k-${i}", meta: ${show(x)})`);
      (await respond(h, `k-${i}`, withMeta(y), `${what}: meta ${show(x)}, then meta ${show(y)}`)).toEqual(first);
    }
    expect(gateway.requests.length, 'gateway calls (one per key)').toBe(sameValues.length);
  }),
  test('the handler receives the request unchanged', async (ctx) => {
    const { h, gateway } = await setup(ctx);
    const req = { amountCents: 1, currency: 'JPY', customer: 'cus_jo', meta: { tags: ['a', 'b'], nested: { deep: true, n: null } } };
    await ok(h, 'k', req, 'handle');
    expect(gateway.requests[0], 'request seen by the gateway').toEqual(req);
  }),
  test('a long mixed sequence matches the specification', async (ctx) => {
    const { h, gateway, clock } = await setup(ctx, 10_000);
    const rules = new Rules(clock, 10_000);
    const variants = (k: string): Charge[] => [charge(`cus_${k}`, 100), charge(`cus_${k}`, 200), charge(`cus_${k}`, 100, 'GBP')];
    await runModel({
      model: rules,
      subject: asSeen(h),
      rng: ctx.rng,
      steps: 160,
      ops: {
        handle: {
          args: (rng) => {
            clock.advance(rng.int(0, 2500));
            const key = rng.pick(['a', 'b', 'c', 'd', 'e', 'f']);
            const req = rng.next() < 0.75 ? variants(key)[0]! : rng.pick(variants(key));
            rules.declines = rng.next() < 0.1;
            gateway.declineNext(rules.declines ? 1 : 0); // for this step only: the next one sets it again
            return [key, req];
          },
        },
      },
    });
    expect(gateway.charges, 'successful charges').toBe(rules.charges);
  }),
  test('ttlMs must be an integer >= 1', async (ctx) => {
    const [gateway, now] = [new PaymentGateway<Charge, Receipt>(ctx), async () => 1_700_000_000_000];
    for (const ttlMs of [0, -1, 1.5, NaN, Infinity, '1000', null])
      await expectRejects(handler(ctx, gateway, now, { ttlMs }), 'RangeError', `ttlMs: ${show(ttlMs)}`);
    await expectRejects(handler(ctx, gateway, now, {}), 'RangeError', 'options without ttlMs');
    await handler(ctx, gateway, now, { ttlMs: 1 });
  }),
];
