import {
  deepEqual,
  defineSuites,
  expect,
  expectRejects,
  fail,
  jitter,
  latch,
  ManualClock,
  outcome,
  PaymentGateway,
  rawOf,
  runModel,
  sample,
  show,
  test,
  until,
  type Remote,
  type RemoteObject,
  type TestContext,
} from '@assay/sdk';

type Charge = { amountCents: number; currency: string; customer: string; meta?: Record<string, unknown> };
type Receipt = { chargeId: string; amountCents: number; currency: string; customer: string };
type IdempotentHandler = { handle(key: string, request: unknown): unknown };
type Handler = Remote<IdempotentHandler>;

const charge = (customer: string, amountCents = 1999, currency = 'EUR'): Charge => ({ amountCents, currency, customer });
const receipt = (n: number, { amountCents, currency, customer }: Charge): Receipt => ({
  chargeId: `ch_${n}`,
  amountCents,
  currency,
  customer,
});

/**
 * A payment endpoint behind the handler: the SDK's gateway (every request counted, answers after
 * 1–`maxLatencyMs` ms, declines on demand), and a clock the test moves, read with 0–1 ms of
 * latency in the stress tests so that reads interleave too.
 */
async function setup(ctx: TestContext, ttlMs = 60_000, { jitterClock = false, maxLatencyMs = 4 } = {}) {
  const gateway = new PaymentGateway<Charge, Receipt>(ctx, { latencyMs: [1, maxLatencyMs], receipt: (req, n) => receipt(n, req) });
  const clock = new ManualClock(1_700_000_000_000);
  const now = async () => {
    if (jitterClock) await jitter(ctx, 1);
    return clock.now();
  };
  const h = await handler(ctx, gateway, now, { ttlMs });
  return { h, gateway, clock };
}
const handler = (ctx: TestContext, gateway: PaymentGateway<Charge, Receipt>, now: () => number | Promise<number>, options: unknown) =>
  ctx.construct<IdempotentHandler>('IdempotentHandler', ctx.expose(gateway.client('handle')), ctx.expose({ now }), options);

/** What a call came to: its response, or the name of the error it rejected with (the message is free). */
type Seen = { ok: unknown } | { error: string };
async function seen(call: Promise<unknown>): Promise<Seen> {
  const o = await outcome(call);
  return 'ok' in o ? o : { error: o.error };
}
const conflict = { error: 'IdempotencyConflictError' };
const declined = { error: 'CardDeclined' };

/** handle() that must succeed: an unexpected rejection fails the test with a readable message. */
async function ok(h: Handler, key: string, req: unknown, what: string): Promise<unknown> {
  const o = await seen(h.handle(key, req));
  if ('error' in o) fail(`${what}: handle("${key}", ...) rejected with ${o.error}, expected it to resolve`, 'a response', o.error);
  return o.ok;
}

/** handle() that must succeed, ready for an assertion on its response. */
const respond = async (h: Handler, key: string, req: unknown, what: string) => expect(await ok(h, key, req, what), what);

/** The handler as the rules see it. */
const asSeen = (h: Handler): RemoteObject => ({
  call: (_method, key, req) => seen(h.handle(key as string, req)),
  prop: (name) => rawOf(h).prop(name),
});

/** The statement's rules: what each key holds (its first request, when it expires, its response). */
class Rules {
  charges = 0;
  /** The gateway declines the next charge. */
  declines = false;
  readonly #keys = new Map<string, { req: Charge; expiresAt: number; response: Receipt }>();
  constructor(
    private readonly clock: ManualClock,
    private readonly ttlMs: number,
  ) {}

  handle(key: string, req: Charge): Seen {
    const held = this.#keys.get(key);
    if (held && this.clock.now() < held.expiresAt) return deepEqual(held.req, req) ? { ok: held.response } : conflict;
    if (this.declines) {
      this.#keys.delete(key);
      return declined;
    }
    const response = receipt(++this.charges, req);
    this.#keys.set(key, { req, expiresAt: this.clock.now() + this.ttlMs, response });
    return { ok: response };
  }
}

export default defineSuites({
  correctness: [
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
      for (const ttlMs of [0, -1, 1.5]) await expectRejects(handler(ctx, gateway, now, { ttlMs }), 'RangeError', `ttlMs: ${ttlMs}`);
      await handler(ctx, gateway, now, { ttlMs: 1 });
    }),
  ],

  stress: [
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
  ],
});
