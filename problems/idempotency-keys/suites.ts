import { defineSuites, expect, expectRejects, fail, sample, test, type RemoteObject, type TestContext } from '@assay/sdk';

interface Charge {
  amountCents: number;
  currency: string;
  customer: string;
  meta?: Record<string, unknown>;
}
interface Receipt {
  chargeId: string;
  amountCents: number;
  currency: string;
  customer: string;
}

type Outcome = { ok: unknown } | { error: string };

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * Driver-owned payment gateway: counts every call, answers after a jittered latency, and
 * declines the calls the test asks it to (via `declineNext`, or customers listed in `declines`).
 */
function makeGateway(ctx: TestContext, maxLatencyMs = 4) {
  const state = {
    calls: [] as Charge[],
    charges: 0,
    declineNext: false,
    declines: new Set<string>(),
    inFlight: 0,
    /** Most gateway calls ever in flight at once. */
    maxInFlight: 0,
    /** When set, the first gateway call waits for it before answering. */
    gate: null as Promise<void> | null,
  };
  const gateway = {
    handle: async (req: Charge): Promise<Receipt> => {
      state.calls.push(req);
      const decline = state.declineNext || state.declines.has(req.customer);
      state.declineNext = false;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      if (state.gate && state.calls.length === 1) await state.gate;
      await ctx.sleep(ctx.rng.int(1, maxLatencyMs));
      state.inFlight--;
      if (decline) throw namedError('CardDeclined', `card of ${req.customer} was declined`);
      state.charges++;
      return { chargeId: `ch_${state.charges}`, amountCents: req.amountCents, currency: req.currency, customer: req.customer };
    },
  };
  return { gateway, state };
}

function makeClock(ctx: TestContext, start = 1_700_000_000_000, jitter = false) {
  const clock = { t: start };
  const exposed = {
    now: async () => {
      if (jitter) await ctx.sleep(ctx.rng.int(0, 1));
      return clock.t;
    },
  };
  return { clock, exposed };
}

async function setup(ctx: TestContext, ttlMs = 60_000, opts: { jitterClock?: boolean; maxLatencyMs?: number } = {}) {
  const { gateway, state } = makeGateway(ctx, opts.maxLatencyMs);
  const { clock, exposed } = makeClock(ctx, undefined, opts.jitterClock);
  const h = await ctx.subject.construct('IdempotentHandler', ctx.expose(gateway), ctx.expose(exposed), { ttlMs });
  return { h, state, clock };
}

async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as { remote?: boolean; remoteName?: string };
    if (!err || err.remote !== true) throw e;
    return { error: err.remoteName ?? 'Error' };
  }
}

function show(o: Outcome): string {
  return 'ok' in o ? `resolved with ${JSON.stringify(o.ok)}` : `rejected with ${o.error}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  return ka.length === Object.keys(ob).length && ka.every((k) => k in ob && sameJson((a as Record<string, unknown>)[k], ob[k]));
}

const charge = (customer: string, amountCents = 1999, currency = 'EUR'): Charge => ({ amountCents, currency, customer });
const receipt = (n: number, c: Charge): Receipt => ({
  chargeId: `ch_${n}`,
  amountCents: c.amountCents,
  currency: c.currency,
  customer: c.customer,
});

const handle = (h: RemoteObject, key: string, req: unknown) => h.call('handle', key, req);

/** handle() that must succeed: an unexpected rejection fails the test with a readable message. */
async function ok(h: RemoteObject, key: string, req: unknown, what: string): Promise<unknown> {
  const o = await outcomeOf(handle(h, key, req));
  if ('error' in o) fail(`${what}: handle("${key}", ...) ${show(o)}, expected it to resolve`, 'a response', o.error);
  return o.ok;
}

/** handle() that must succeed, ready for an assertion on its response. */
async function respond(h: RemoteObject, key: string, req: unknown, what: string) {
  return expect(await ok(h, key, req, what), what);
}

export default defineSuites({
  correctness: [
    sample('a repeated request with the same key charges once and gets the first response', async (ctx) => {
      const { h, state } = await setup(ctx);
      const req = charge('cus_ada');
      (await respond(h, 'key-1', req, 'first handle("key-1")')).toEqual(receipt(1, req));
      (await respond(h, 'key-1', req, 'second handle("key-1")')).toEqual(receipt(1, req));
      (await respond(h, 'key-1', req, 'third handle("key-1")')).toEqual(receipt(1, req));
      expect(state.calls.length, 'gateway calls').toBe(1);
    }),
    sample('different keys are independent, even with the same request', async (ctx) => {
      const { h, state } = await setup(ctx);
      const req = charge('cus_bob', 500);
      (await respond(h, 'order-1', req, 'handle("order-1")')).toEqual(receipt(1, req));
      (await respond(h, 'order-2', req, 'handle("order-2")')).toEqual(receipt(2, req));
      expect(state.calls.length, 'gateway calls').toBe(2);
    }),
    sample('reusing a key with a different request is rejected', async (ctx) => {
      const { h, state } = await setup(ctx);
      await ok(h, 'key-7', charge('cus_cy', 1000), 'first request');
      await expectRejects(handle(h, 'key-7', charge('cus_cy', 9000)), 'IdempotencyConflictError', 'handle("key-7", different amount)');
      expect(state.calls.length, 'gateway calls').toBe(1);
    }),
    sample('a key expires ttlMs after its first request', async (ctx) => {
      const { h, state, clock } = await setup(ctx, 1000);
      const req = charge('cus_dee');
      (await respond(h, 'k', req, 'at t+0')).toEqual(receipt(1, req));
      clock.t += 999;
      (await respond(h, 'k', req, 'at t+999 (still remembered)')).toEqual(receipt(1, req));
      clock.t += 1;
      (await respond(h, 'k', req, 'at t+1000 (expired: a new charge)')).toEqual(receipt(2, req));
      expect(state.calls.length, 'gateway calls').toBe(2);
    }),

    test('expiry counts from the first request; duplicates do not extend it', async (ctx) => {
      const { h, clock } = await setup(ctx, 5000);
      const req = charge('cus_eve');
      await ok(h, 'k', req, 'first request');
      for (const step of [1000, 1500, 2000]) {
        clock.t += step;
        (await respond(h, 'k', req, `duplicate at +${step}`)).toEqual(receipt(1, req));
      }
      clock.t += 500; // 5000 after the first request
      (await respond(h, 'k', req, 'at exactly ttlMs after the first request')).toEqual(receipt(2, req));
      clock.t += 4999;
      (await respond(h, 'k', req, 'within the new window')).toEqual(receipt(2, req));
    }),
    test('after expiry the key may be used with a different request', async (ctx) => {
      const { h, clock, state } = await setup(ctx, 100);
      await ok(h, 'k', charge('cus_fay', 100), 'first request');
      clock.t += 100;
      const other = charge('cus_fay', 250);
      (await respond(h, 'k', other, 'new request after expiry')).toEqual(receipt(2, other));
      await expectRejects(handle(h, 'k', charge('cus_fay', 100)), 'IdempotencyConflictError', 'the old request is now the different one');
      expect(state.calls.length, 'gateway calls').toBe(2);
    }),
    test('a failed request is not remembered: the error reaches the caller and a retry runs again', async (ctx) => {
      const { h, state } = await setup(ctx);
      const req = charge('cus_gus', 4200);
      state.declineNext = true;
      await expectRejects(handle(h, 'pay-1', req), 'CardDeclined', 'first attempt (declined by the gateway)');
      (await respond(h, 'pay-1', req, 'retry with the same key')).toEqual(receipt(1, req));
      (await respond(h, 'pay-1', req, 'duplicate after the success')).toEqual(receipt(1, req));
      expect(state.calls.length, 'gateway calls').toBe(2);
    }),
    test('after a failure the key is free for a different request too', async (ctx) => {
      const { h, state } = await setup(ctx);
      state.declineNext = true;
      await expectRejects(handle(h, 'k', charge('cus_hal', 10)), 'CardDeclined', 'declined request');
      const other = charge('cus_hal', 20);
      (await respond(h, 'k', other, 'different request after the failure')).toEqual(receipt(1, other));
    }),
    test('requests are compared by value: field order does not matter, values do', async (ctx) => {
      const { h, state } = await setup(ctx);
      const a = { amountCents: 700, currency: 'USD', customer: 'cus_ivy', meta: { orderId: 'o-1', lines: [1, 2, 3] } };
      const reordered = { meta: { lines: [1, 2, 3], orderId: 'o-1' }, customer: 'cus_ivy', currency: 'USD', amountCents: 700 };
      const first = await ok(h, 'k', a, 'first request');
      (await respond(h, 'k', reordered, 'same request with fields in another order')).toEqual(first);
      expect(state.calls.length, 'gateway calls').toBe(1);
      const variants: unknown[] = [
        { ...a, meta: { orderId: 'o-1', lines: [3, 2, 1] } },
        { ...a, meta: { orderId: 'o-1', lines: [1, 2, 3], note: 'x' } },
        { ...a, currency: 'usd' },
        { amountCents: 700, currency: 'USD', customer: 'cus_ivy' },
        { ...a, amountCents: '700' },
      ];
      for (const v of variants) await expectRejects(handle(h, 'k', v), 'IdempotencyConflictError', `handle("k", ${JSON.stringify(v)})`);
      (await respond(h, 'k', a, 'the original request still gets its response')).toEqual(first);
      expect(state.calls.length, 'gateway calls').toBe(1);
    }),
    test('the handler receives the request unchanged', async (ctx) => {
      const { h, state } = await setup(ctx);
      const req = { amountCents: 1, currency: 'JPY', customer: 'cus_jo', meta: { tags: ['a', 'b'], nested: { deep: true, n: null } } };
      await ok(h, 'k', req, 'handle');
      expect(state.calls[0], 'request seen by the gateway').toEqual(req);
    }),
    test('a long mixed sequence matches the specification', async (ctx) => {
      const ttl = 10_000;
      const { h, state, clock } = await setup(ctx, ttl);
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const variants = (k: string): Charge[] => [charge(`cus_${k}`, 100), charge(`cus_${k}`, 200), charge(`cus_${k}`, 100, 'GBP')];
      const memo = new Map<string, { req: Charge; expiresAt: number; response: Receipt }>();
      let charges = 0;
      for (let i = 0; i < 160; i++) {
        clock.t += ctx.rng.int(0, 2500);
        const key = ctx.rng.pick(keys);
        const req = ctx.rng.next() < 0.75 ? variants(key)[0]! : ctx.rng.pick(variants(key));
        const decline = ctx.rng.next() < 0.1;
        const m = memo.get(key);
        let want: Outcome;
        if (m && clock.t < m.expiresAt) want = sameJson(m.req, req) ? { ok: m.response } : { error: 'IdempotencyConflictError' };
        else if (decline) {
          memo.delete(key);
          want = { error: 'CardDeclined' };
        } else {
          const response = receipt(++charges, req);
          memo.set(key, { req, expiresAt: clock.t + ttl, response });
          want = { ok: response };
        }
        state.declineNext = decline;
        const got = await outcomeOf(handle(h, key, req));
        state.declineNext = false;
        const same = 'ok' in want ? 'ok' in got && sameJson(got.ok, want.ok) : 'error' in got && got.error === want.error;
        if (!same)
          fail(
            `step ${i + 1}: handle("${key}", ${JSON.stringify(req)}) at t+${clock.t - 1_700_000_000_000} should have ${show(want)}, but it ${show(got)}`,
            want,
            got,
          );
      }
      expect(state.charges, 'successful charges').toBe(charges);
    }),
    test('ttlMs must be an integer >= 1', async (ctx) => {
      const { gateway } = makeGateway(ctx);
      const { exposed } = makeClock(ctx);
      for (const ttlMs of [0, -1, 1.5]) {
        await expectRejects(
          ctx.subject.construct('IdempotentHandler', ctx.expose(gateway), ctx.expose(exposed), { ttlMs }),
          'RangeError',
          `ttlMs: ${ttlMs}`,
        );
      }
      await ctx.subject.construct('IdempotentHandler', ctx.expose(gateway), ctx.expose(exposed), { ttlMs: 1 });
    }),
  ],

  stress: [
    test('200 concurrent duplicates: exactly one charge, every caller gets its response', async (ctx) => {
      const { h, state } = await setup(ctx, 60_000, { jitterClock: true, maxLatencyMs: 8 });
      const req = charge('cus_rush', 2500);
      const outcomes = await Promise.all(Array.from({ length: 200 }, () => outcomeOf(handle(h, 'checkout-42', req))));
      expect(state.calls.length, 'gateway calls for 200 concurrent duplicates').toBe(1);
      outcomes.forEach((o, i) => {
        if (!('ok' in o) || !sameJson(o.ok, receipt(1, req)))
          fail(`caller ${i} ${show(o)}, expected the single charge's receipt`, receipt(1, req), o);
      });
    }),
    test('60 keys with 6 concurrent duplicates each, shuffled: one charge per key', async (ctx) => {
      const { h, state } = await setup(ctx, 60_000, { jitterClock: true });
      const calls = ctx.rng
        .shuffle(Array.from({ length: 360 }, (_, i) => i % 60))
        .map((k) => ({ key: `k-${k}`, req: charge(`cus_${k}`, 100 + k) }));
      const outcomes = await Promise.all(calls.map((c) => outcomeOf(handle(h, c.key, c.req))));
      expect(state.calls.length, 'gateway calls').toBe(60);
      const byKey = new Map<string, unknown>();
      outcomes.forEach((o, i) => {
        const c = calls[i]!;
        if (!('ok' in o)) return fail(`handle("${c.key}") ${show(o)}`);
        const r = o.ok as Receipt;
        if (r.customer !== c.req.customer || r.amountCents !== c.req.amountCents)
          fail(`handle("${c.key}") returned another key's receipt: ${JSON.stringify(r)}`);
        const seen = byKey.get(c.key);
        if (seen === undefined) byKey.set(c.key, r);
        else if (!sameJson(seen, r))
          fail(`duplicates of "${c.key}" got different receipts: ${JSON.stringify(seen)} and ${JSON.stringify(r)}`);
      });
    }),
    test('100 concurrent duplicates of a declined charge: they share one gateway call at a time, all see the error, a retry charges once', async (ctx) => {
      const { h, state } = await setup(ctx, 60_000, { jitterClock: true, maxLatencyMs: 8 });
      const req = charge('cus_broke', 99_000);
      state.declines.add('cus_broke');
      const outcomes = await Promise.all(Array.from({ length: 100 }, () => outcomeOf(handle(h, 'k', req))));
      // A failure is forgotten, so a duplicate arriving after it may try again; but a duplicate
      // arriving while a call is in flight must wait for it: never two calls at once.
      expect(state.maxInFlight, 'gateway calls in flight at the same time for one key').toBe(1);
      outcomes.forEach((o, i) => {
        if (!('error' in o) || o.error !== 'CardDeclined') fail(`caller ${i} ${show(o)}, expected CardDeclined`);
      });
      state.declines.clear();
      const before = state.calls.length;
      const retries = await Promise.all(Array.from({ length: 100 }, () => outcomeOf(handle(h, 'k', req))));
      expect(state.calls.length - before, 'gateway calls for 100 concurrent retries once the card works').toBe(1);
      retries.forEach((o, i) => {
        if (!('ok' in o) || !sameJson(o.ok, receipt(1, req))) fail(`retry ${i} ${show(o)}, expected the receipt`);
      });
    }),
    test('conflicting requests that arrive while the first is in flight are rejected', async (ctx) => {
      const { h, state } = await setup(ctx, 60_000, { jitterClock: true });
      let release!: () => void;
      state.gate = new Promise<void>((r) => (release = r));
      const req = charge('cus_kim', 300);
      const first = outcomeOf(handle(h, 'k', req));
      for (let i = 0; i < 500 && state.calls.length === 0; i++) await ctx.sleep(1);
      if (state.calls.length === 0) fail('the first request never reached the gateway');
      // the first charge is now held at the gateway until release()
      const others = ctx.rng.shuffle([
        ...Array.from({ length: 40 }, (_, i) => ({ req: charge('cus_kim', 301 + i), conflict: true })),
        ...Array.from({ length: 40 }, () => ({ req, conflict: false })),
      ]);
      const pending = Promise.all(others.map((o) => outcomeOf(handle(h, 'k', o.req))));
      await ctx.sleep(30);
      release();
      const outcomes = await pending;
      const firstOutcome = await first;
      expect(firstOutcome, 'first request').toEqual({ ok: receipt(1, req) });
      expect(state.calls.length, 'gateway calls').toBe(1);
      outcomes.forEach((o, i) => {
        const want: Outcome = others[i]!.conflict ? { error: 'IdempotencyConflictError' } : { ok: receipt(1, req) };
        const same = 'ok' in want ? 'ok' in o && sameJson(o.ok, want.ok) : 'error' in o && o.error === want.error;
        if (!same)
          fail(
            `concurrent request ${i} (${others[i]!.conflict ? 'different amount' : 'duplicate'}) ${show(o)}, expected it to have ${show(want)}`,
          );
      });
    }),
  ],
});
