import {
  expect,
  fail,
  jitter,
  latch,
  namedError,
  only,
  outcome,
  rawOf,
  runModel,
  show,
  until,
  type Latch,
  type Remote,
  type TestContext,
} from '@assay/sdk';

// The breaker under test, the downstream it protects (driver-owned), and the statement's rules as a model.

export type CircuitState = 'closed' | 'open' | 'half-open';
export type Options = { failureThreshold: number; cooldownMs: number; halfOpenMaxCalls: number };
export type CircuitBreaker = { execute(request: Req, nowMs: number): unknown; state(nowMs: number): CircuitState };

/** What the tests send through the breaker: `fail` makes the downstream reject, `hold` parks the call until that latch opens. */
export type Req = { id: number; fail?: boolean; hold?: string; payload?: unknown };
export const answerTo = (req: Req) => ({ id: req.id, ok: true, echo: req.payload ?? null });

/**
 * The protected dependency: answers after a seeded delay so that concurrent calls interleave,
 * records every request that reaches it, and holds calls while `gate` is shut.
 */
export function downstream(ctx: TestContext, latencyMs: number) {
  const holds = new Map<string, Latch>();
  const ds = {
    entered: [] as number[],
    inFlight: 0,
    gate: undefined as Latch | undefined,
    hold: (name: string): Latch => holds.get(name) ?? holds.set(name, latch()).get(name)!,
    async call(req: Req): Promise<unknown> {
      ds.entered.push(req?.id);
      ds.inFlight++;
      try {
        await ds.gate?.promise;
        if (req?.hold) await ds.hold(req.hold).promise;
        await jitter(ctx, latencyMs);
        if (req?.fail) throw namedError('DownstreamError', `downstream failed request ${req.id}`);
        return answerTo(req);
      } finally {
        ds.inFlight--;
      }
    },
  };
  return ds;
}
export type Downstream = ReturnType<typeof downstream>;

export const breaker = (ctx: TestContext, ds: Downstream, options: unknown) =>
  ctx.construct<CircuitBreaker>('CircuitBreaker', ctx.expose(only(ds, ['call'])), options);

export async function setup(ctx: TestContext, options: Options, latencyMs = 1) {
  const ds = downstream(ctx, latencyMs);
  let ids = 0;
  const b = await breaker(ctx, ds, options);
  return { b, ds, ok: (): Req => ({ id: ++ids }), bad: (): Req => ({ id: ++ids, fail: true }), ids: () => ++ids };
}
export type Harness = Awaited<ReturnType<typeof setup>>;

/** How a call ended: passed through, the downstream's error passed on, or rejected without reaching it. */
export type Seen = 'ok' | 'failed' | 'rejected';

export async function run(b: Remote<CircuitBreaker>, req: Req, now: number): Promise<Seen> {
  const o = await outcome(b.execute(req, now));
  if ('ok' in o) expect(o.ok, `execute(${show(req)}, ${now}) result`).toEqual(answerTo(req));
  else if (o.error !== 'CircuitOpenError' && o.error !== 'DownstreamError')
    fail(`execute(${show(req)}, ${now}) threw ${o.error}: ${o.message}`);
  return 'ok' in o ? 'ok' : o.error === 'CircuitOpenError' ? 'rejected' : 'failed';
}

/** One call at a time: a request at `now` that succeeds downstream, fails there, or must be rejected; or state(now). */
export type Step = readonly [Seen, number] | readonly ['state', number, CircuitState];
export const passes = (now: number): Step => ['ok', now];
export const fails = (now: number): Step => ['failed', now];
export const rejected = (now: number): Step => ['rejected', now];
export const state = (now: number, s: CircuitState): Step => ['state', now, s];

export async function play(h: Harness, ...steps: Step[]): Promise<void> {
  for (const [want, now, s] of steps) {
    if (want === 'state') expect(await h.b.state(now), `state(${now})`).toBe(s);
    else {
      const req = want === 'failed' ? h.bad() : h.ok();
      expect(await run(h.b, req, now), `execute(${show(req)}, ${now})`).toBe(want);
    }
  }
}

/** Opens a closed breaker with `threshold` failures, the last at `at` (openedAt). */
export const trip = (h: Harness, threshold: number, at: number) =>
  play(h, ...Array.from({ length: threshold }, (_, i) => fails(at - threshold + 1 + i)), state(at, 'open'));

/** The statement's rules, one call at a time; `downstreamCalls` counts the calls they let through. */
export class Rules {
  downstreamCalls = 0;
  #mode: CircuitState = 'closed';
  #openedAt = 0;
  /** Consecutive failures while closed, trials admitted while half-open. */
  #count = 0;
  #successes = 0;
  constructor(private readonly o: Options) {}

  state(now: number): CircuitState {
    if (this.#mode === 'open' && now >= this.#openedAt + this.o.cooldownMs) this.#enter('half-open', now);
    return this.#mode;
  }

  execute(req: Req, now: number): Seen {
    const mode = this.state(now);
    if (mode === 'open' || (mode === 'half-open' && this.#count >= this.o.halfOpenMaxCalls)) return 'rejected';
    this.downstreamCalls++;
    if (mode === 'half-open') {
      this.#count++;
      if (req.fail) this.#enter('open', now);
      else if (++this.#successes >= this.o.halfOpenMaxCalls) this.#enter('closed', now);
    } else if (!req.fail) this.#count = 0;
    else if (++this.#count >= this.o.failureThreshold) this.#enter('open', now);
    return req.fail ? 'failed' : 'ok';
  }

  #enter(mode: CircuitState, now: number): void {
    [this.#mode, this.#count, this.#successes] = [mode, 0, 0];
    if (mode === 'open') this.#openedAt = now;
  }
}

/** Calls mostly a little apart, some at once, some about a cool-down apart; every 25 steps the failure rate changes. */
export function randomCalls(options: Options, steps: number) {
  return async (ctx: TestContext) => {
    const { b, ds, ids } = await setup(ctx, options, 0);
    const { rng } = ctx;
    let [now, step, failRate] = [rng.int(0, 10_000), 0, 0.2];
    const tick = () => {
      if (step++ % 25 === 0) failRate = rng.pick([0.05, 0.3, 0.7, 0.95]);
      const r = rng.next();
      const cd = options.cooldownMs;
      return (now += r < 0.2 ? 0 : r < 0.85 ? rng.int(1, Math.ceil(cd / 4)) : rng.int(cd - 2, cd + 2));
    };
    const call = () => {
      const at = tick(); // first: it may change the failure rate
      return [rng.next() < failRate ? { id: ids(), fail: true } : { id: ids() }, at];
    };
    await runModel({
      model: new Rules(options),
      // the breaker as the rules see it: how each call ended, and how many reached the downstream
      subject: {
        call: (method: string, ...args: unknown[]) =>
          method === 'execute' ? run(b, args[0] as Req, args[1] as number) : rawOf(b).call(method, ...args),
        prop: async (name: string) => (name === 'downstreamCalls' ? ds.entered.length : rawOf(b).prop(name)),
      },
      rng,
      steps,
      choose: (_rng, i) => (i % 9 === 4 ? 'state' : 'execute'),
      ops: {
        execute: { args: call },
        state: { args: () => [tick()] },
      },
      props: ['downstreamCalls'],
      every: 1,
      label: show(options),
    });
  };
}

/**
 * Fires `count` calls at `now` while the downstream holds every call it gets, and lets them go
 * only once each was decided (reached the downstream, or answered): the number admitted is then
 * exact, whatever the timing.
 */
export async function burst(ctx: TestContext, h: Harness, count: number, now: number, make: () => Req) {
  const [gate, before] = [latch(), h.ds.entered.length];
  h.ds.gate = gate;
  let settled = 0;
  const all = Promise.all(Array.from({ length: count }, () => run(h.b, make(), now).finally(() => settled++)));
  all.catch(() => undefined); // awaited below
  await until(ctx, () => settled + h.ds.entered.length - before >= count, `all ${count} calls decided`, 3000);
  const admitted = h.ds.entered.length - before;
  h.ds.gate = undefined;
  gate.open();
  return { admitted, outcomes: await all };
}
export const count = (xs: Seen[], o: Seen) => xs.filter((x) => x === o).length;

/** A call the downstream keeps until `h.ds.hold(name)` opens. */
export const held = (h: Harness, name: string, now: number, fail = false) =>
  run(h.b, { id: h.ids(), hold: name, ...(fail && { fail }) }, now);
