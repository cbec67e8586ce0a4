/**
 * A payment gateway the driver owns: counts every request and every successful charge, answers
 * after a seeded latency, and declines the requests the test chooses (the next n, those matching
 * a rule, or a seeded share of them). Idempotency bugs show up as extra charges.
 */
import type { FakeContext } from '../context';
import type { Latch } from '../concurrency';
import { namedError } from '../errors';
import { jitter, type Latency } from './latency';

export interface GatewayOptions<Req, Res> {
  /** Each request's latency (default `[1, 4]`). */
  latencyMs?: Latency;
  /** The answer to the n-th successful charge (default `{ chargeId: 'ch_<n>', ...req }`). */
  receipt?: (req: Req, n: number) => Res;
  /** The name of the error a decline throws (default `CardDeclined`). */
  declineError?: string;
  /** Share of requests declined at random, drawn from the test's rng (default 0). */
  failureRate?: number;
}

export class PaymentGateway<Req extends object = Record<string, unknown>, Res = unknown> {
  /** Every request, in arrival order. */
  readonly requests: Req[] = [];
  /** Successful charges. */
  charges = 0;
  inFlight = 0;
  /** Most requests ever in flight at once. */
  maxInFlight = 0;
  readonly #ctx: FakeContext;
  readonly #latency: Latency;
  readonly #receipt: (req: Req, n: number) => Res;
  readonly #declineError: string;
  readonly #failureRate: number;
  #declineNext = 0;
  #declineWhen: ((req: Req) => boolean) | undefined;
  #hold: { latch: Latch; firstOnly: boolean } | undefined;

  constructor(ctx: FakeContext, options: GatewayOptions<Req, Res> = {}) {
    this.#ctx = ctx;
    this.#latency = options.latencyMs ?? [1, 4];
    this.#receipt = options.receipt ?? ((req, n) => ({ chargeId: `ch_${n}`, ...req }) as Res);
    this.#declineError = options.declineError ?? 'CardDeclined';
    this.#failureRate = options.failureRate ?? 0;
  }

  /** Declines the next `n` requests. */
  declineNext(n = 1): void {
    this.#declineNext = n;
  }

  /** Declines every request matching `rule` from now on (`undefined` stops). */
  declineWhen(rule: ((req: Req) => boolean) | undefined): void {
    this.#declineWhen = rule;
  }

  /** Holds requests until `l` opens: only the first request that arrives, or every one. */
  hold(l: Latch, firstOnly = false): void {
    this.#hold = { latch: l, firstOnly };
  }

  /** The candidate's entry point (expose it as `client(name)`). The decline is decided on arrival. */
  async charge(req: Req): Promise<Res> {
    const n = this.requests.push(req);
    const decline = this.#decides(req);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const hold = this.#hold;
      if (hold && (!hold.firstOnly || this.requests.length === 1)) await hold.latch.promise;
      await jitter(this.#ctx, this.#latency);
    } finally {
      this.inFlight--;
    }
    if (decline) throw namedError(this.#declineError, `the card was declined (request ${n})`);
    return this.#receipt(req, ++this.charges);
  }

  /** `{ [name]: charge }`, the one method the candidate may call. */
  client(name = 'charge'): Record<string, (req: Req) => Promise<Res>> {
    return { [name]: (req: Req) => this.charge(req) };
  }

  #decides(req: Req): boolean {
    if (this.#declineNext > 0) {
      this.#declineNext--;
      return true;
    }
    if (this.#declineWhen?.(req)) return true;
    return this.#failureRate > 0 && this.#ctx.rng.next() < this.#failureRate;
  }
}
