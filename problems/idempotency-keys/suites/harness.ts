import {
  deepEqual,
  expect,
  fail,
  jitter,
  ManualClock,
  outcome,
  PaymentGateway,
  rawOf,
  type Remote,
  type RemoteObject,
  type TestContext,
} from '@assay/sdk';

export type Charge = { amountCents: number; currency: string; customer: string; meta?: Record<string, unknown> };
export type Receipt = { chargeId: string; amountCents: number; currency: string; customer: string };
export type IdempotentHandler = { handle(key: string, request: unknown): unknown };
export type Handler = Remote<IdempotentHandler>;

export const charge = (customer: string, amountCents = 1999, currency = 'EUR'): Charge => ({ amountCents, currency, customer });
export const receipt = (n: number, { amountCents, currency, customer }: Charge): Receipt => ({
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
export async function setup(ctx: TestContext, ttlMs = 60_000, { jitterClock = false, maxLatencyMs = 4 } = {}) {
  const gateway = new PaymentGateway<Charge, Receipt>(ctx, { latencyMs: [1, maxLatencyMs], receipt: (req, n) => receipt(n, req) });
  const clock = new ManualClock(1_700_000_000_000);
  const now = async () => {
    if (jitterClock) await jitter(ctx, 1);
    return clock.now();
  };
  const h = await handler(ctx, gateway, now, { ttlMs });
  return { h, gateway, clock };
}
export const handler = (
  ctx: TestContext,
  gateway: PaymentGateway<Charge, Receipt>,
  now: () => number | Promise<number>,
  options: unknown,
) => ctx.construct<IdempotentHandler>('IdempotentHandler', ctx.expose(gateway.client('handle')), ctx.expose({ now }), options);

/** What a call came to: its response, or the name of the error it rejected with (the message is free). */
export type Seen = { ok: unknown } | { error: string };
export async function seen(call: Promise<unknown>): Promise<Seen> {
  const o = await outcome(call);
  return 'ok' in o ? o : { error: o.error };
}
export const conflict = { error: 'IdempotencyConflictError' };
export const declined = { error: 'CardDeclined' };

/** handle() that must succeed: an unexpected rejection fails the test with a readable message. */
export async function ok(h: Handler, key: string, req: unknown, what: string): Promise<unknown> {
  const o = await seen(h.handle(key, req));
  if ('error' in o) fail(`${what}: handle("${key}", ...) rejected with ${o.error}, expected it to resolve`, 'a response', o.error);
  return o.ok;
}

/** handle() that must succeed, ready for an assertion on its response. */
export const respond = async (h: Handler, key: string, req: unknown, what: string) => expect(await ok(h, key, req, what), what);

/** The handler as the rules see it. */
export const asSeen = (h: Handler): RemoteObject => ({
  call: (_method, key, req) => seen(h.handle(key as string, req)),
  prop: (name) => rawOf(h).prop(name),
});

/** Pairs of different JSON values that a careless comparison or fingerprint takes for the same. */
export const lookalikes: [string, unknown, unknown][] = [
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
export const sameValues: [string, unknown, unknown][] = [
  ['objects inside arrays, fields in another order', [{ a: 1, b: [{ c: 1, d: 2 }] }], [{ b: [{ d: 2, c: 1 }], a: 1 }]],
  ['empty containers, fields in another order', { a: [], b: {}, c: '' }, { c: '', b: {}, a: [] }],
  ['nulls, fields in another order', { a: null, b: [null, { c: null }] }, { b: [null, { c: null }], a: null }],
  ['index-like keys in another order', { 1: 'x', 0: 'y', z: [0] }, { z: [0], 0: 'y', 1: 'x' }],
];
export const withMeta = (meta: unknown) => ({ amountCents: 1200, currency: 'EUR', customer: 'cus_lee', meta });

/** The statement's rules: what each key holds (its first request, when it expires, its response). */
export class Rules {
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
