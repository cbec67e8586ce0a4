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

/** Pairs of different JSON values that a careless comparison or fingerprint takes for the same. */
const lookalikes: [string, unknown, unknown][] = [
  ['an array and an object with index keys', [1, 2], { 0: 1, 1: 2 }],
  ['an empty array and an empty object', [], {}],
  ['an array of arrays and an array of objects', [[1], [2, [3]]], [{ 0: 1 }, { 0: 2, 1: { 0: 3 } }]],
  ['a string and an object of its characters', 'ab', { 0: 'a', 1: 'b' }],
  ['a string and an array of its characters', 'ab', ['a', 'b']],
  ['an empty string and an empty object', '', {}],
  ['zero and an empty object', 0, {}],
  ['false and an empty array', false, []],
  ['null and an empty object', null, {}],
  ['null and an empty array', null, []],
  ['a null field and a missing one', { a: 1, b: null }, { a: 1 }],
  ['a null field and a field of another name', { a: null }, { b: null }],
  ['null and "null"', null, 'null'],
  ['a number and its string', 1, '1'],
  ['true and "true"', true, 'true'],
  ['an array and a longer one with the same start', [1, 2], [1, 2, 3]],
  ['an array with one null and an empty one', [null], []],
  ['one string with a comma and two strings', ['a,b'], ['a', 'b']],
  ['a value that looks like two fields and two fields', { a: '1","b":"2' }, { a: '1', b: '2' }],
  ['the same leaf under another field', { a: { b: 1 } }, { a: { c: 1 } }],
];
/** Pairs of equal JSON values written differently. */
const sameValues: [string, unknown, unknown][] = [
  ['objects inside arrays, fields in another order', [{ a: 1, b: [{ c: 1, d: 2 }] }], [{ b: [{ d: 2, c: 1 }], a: 1 }]],
  ['empty containers, fields in another order', { a: [], b: {}, c: '' }, { c: '', b: {}, a: [] }],
  ['nulls, fields in another order', { a: null, b: [null, { c: null }] }, { b: [null, { c: null }], a: null }],
  ['index-like keys in another order', { 1: 'x', 0: 'y', z: [0] }, { z: [0], 0: 'y', 1: 'x' }],
];
const withMeta = (meta: unknown) => ({ amountCents: 1200, currency: 'EUR', customer: 'cus_lee', meta });

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
  ],
});
