import {
  defineSuites,
  expect,
  expectRejects,
  fail,
  isRemoteError,
  latch,
  sample,
  test,
  type Latch,
  type RemoteObject,
  type TestContext,
} from '@assay/sdk';

interface Options {
  failureThreshold: number;
  cooldownMs: number;
  halfOpenMaxCalls: number;
}

/** What the tests send through the breaker. `fail` makes the downstream reject; `hold` parks it until released. */
interface Req {
  id: number;
  fail?: boolean;
  hold?: string;
  payload?: unknown;
}

/**
 * The protected dependency, owned by the driver. Answers after a jittered delay so interleavings
 * happen; counts every call that reaches it; can hold calls until a test releases them.
 */
class Downstream {
  readonly entered: number[] = [];
  inFlight = 0;
  gate: Latch | null = null;
  private readonly holds = new Map<string, Latch>();

  constructor(
    private readonly ctx: TestContext,
    private readonly maxJitterMs: number,
  ) {}

  hold(name: string): Latch {
    let l = this.holds.get(name);
    if (!l) this.holds.set(name, (l = latch()));
    return l;
  }

  async call(req: Req): Promise<unknown> {
    this.entered.push(req?.id);
    this.inFlight++;
    try {
      if (this.gate) await this.gate.promise;
      if (req?.hold) await this.hold(req.hold).promise;
      await this.ctx.sleep(this.ctx.rng.int(0, this.maxJitterMs));
      if (req?.fail) {
        const e = new Error(`downstream failed request ${req.id}`);
        e.name = 'DownstreamError';
        throw e;
      }
      return { id: req?.id, ok: true, echo: req?.payload ?? null };
    } finally {
      this.inFlight--;
    }
  }
}

async function setup(ctx: TestContext, opts: Options, maxJitterMs = 1): Promise<{ b: RemoteObject; ds: Downstream }> {
  const ds = new Downstream(ctx, maxJitterMs);
  // Only `call` is handed to the candidate.
  const b = await ctx.subject.construct('CircuitBreaker', ctx.expose({ call: (req: Req) => ds.call(req) }), opts);
  return { b, ds };
}

type Outcome = 'ok' | 'failed' | 'rejected';

/** Runs one call and names what happened: passed through, downstream error passed on, or fast rejection. */
async function run(b: RemoteObject, req: Req, now: number): Promise<Outcome> {
  try {
    const res = (await b.call('execute', req, now)) as { id?: unknown; ok?: unknown } | undefined;
    expect(res, `execute(${JSON.stringify(req)}, ${now}) result`).toEqual({ id: req.id, ok: true, echo: req.payload ?? null });
    return 'ok';
  } catch (e) {
    if (!isRemoteError(e)) throw e;
    if (e.remoteName === 'CircuitOpenError') return 'rejected';
    if (e.remoteName === 'DownstreamError') return 'failed';
    return fail(`execute(${JSON.stringify(req)}, ${now}) threw ${e.remoteName}: ${e.message}`);
  }
}

let nextId = 1;
const ok = (): Req => ({ id: nextId++ });
const bad = (): Req => ({ id: nextId++, fail: true });

async function expectOutcome(b: RemoteObject, req: Req, now: number, want: Outcome): Promise<void> {
  expect(await run(b, req, now), `execute(${JSON.stringify(req)}, ${now})`).toBe(want);
}

async function expectState(b: RemoteObject, now: number, want: string): Promise<void> {
  expect(await b.call('state', now), `state(${now})`).toBe(want);
}

/** Opens a closed breaker with `threshold` failures ending at `at`; returns that time (= openedAt). */
async function trip(b: RemoteObject, threshold: number, at: number): Promise<number> {
  for (let i = threshold - 1; i >= 0; i--) await expectOutcome(b, bad(), at - i, 'failed');
  await expectState(b, at, 'open');
  return at;
}

/** The sequential rules of the statement, driver side. */
class Model {
  mode: 'closed' | 'open' | 'half-open' = 'closed';
  private failures = 0;
  private openedAt = 0;
  private admitted = 0;
  private successes = 0;
  constructor(private readonly o: Options) {}
  private advance(now: number) {
    if (this.mode === 'open' && now >= this.openedAt + this.o.cooldownMs) this.set('half-open', now);
  }
  private set(mode: Model['mode'], now: number) {
    this.mode = mode;
    this.failures = this.admitted = this.successes = 0;
    if (mode === 'open') this.openedAt = now;
  }
  state(now: number) {
    this.advance(now);
    return this.mode;
  }
  execute(willFail: boolean, now: number): Outcome {
    this.advance(now);
    if (this.mode === 'open') return 'rejected';
    if (this.mode === 'half-open') {
      if (this.admitted >= this.o.halfOpenMaxCalls) return 'rejected';
      this.admitted++;
      if (willFail) this.set('open', now);
      else if (++this.successes >= this.o.halfOpenMaxCalls) this.set('closed', now);
      return willFail ? 'failed' : 'ok';
    }
    if (willFail) {
      if (++this.failures >= this.o.failureThreshold) this.set('open', now);
      return 'failed';
    }
    this.failures = 0;
    return 'ok';
  }
}

async function modelCheck(ctx: TestContext, opts: Options, steps: number): Promise<void> {
  const { b, ds } = await setup(ctx, opts, 0);
  const model = new Model(opts);
  let now = ctx.rng.int(0, 10_000);
  let failRate = 0.2;
  for (let i = 0; i < steps; i++) {
    if (i % 25 === 0) failRate = ctx.rng.pick([0.05, 0.3, 0.7, 0.95]);
    const r = ctx.rng.next();
    now += r < 0.2 ? 0 : r < 0.85 ? ctx.rng.int(1, Math.ceil(opts.cooldownMs / 4)) : ctx.rng.int(opts.cooldownMs - 2, opts.cooldownMs + 2);
    if (i % 9 === 4) {
      expect(await b.call('state', now), `step ${i}: state(${now})`).toBe(model.state(now));
      continue;
    }
    const willFail = ctx.rng.next() < failRate;
    const before = ds.entered.length;
    const req = willFail ? bad() : ok();
    const want = model.execute(willFail, now);
    expect(await run(b, req, now), `step ${i}: execute(${JSON.stringify(req)}, ${now}) in state ${model.mode}`).toBe(want);
    expect(ds.entered.length - before, `step ${i}: calls that reached the downstream`).toBe(want === 'rejected' ? 0 : 1);
  }
}

/**
 * Fires `count` calls at once with the downstream gated, waits until each one has either reached
 * the downstream or been answered, then releases the gate. Returns how many reached it, plus the
 * settled outcomes. Nothing completes before every call has been decided, so the count is exact.
 */
async function burst(ctx: TestContext, b: RemoteObject, ds: Downstream, count: number, now: number, make: () => Req) {
  const gate = latch();
  ds.gate = gate;
  const before = ds.entered.length;
  let answered = 0;
  const pending = Array.from({ length: count }, () =>
    run(b, make(), now).then(
      (o) => ((answered += o === 'rejected' ? 1 : 0), o),
      (e: unknown) => ((answered += 1), Promise.reject(e)),
    ),
  );
  for (let i = 0; i < 500 && answered + (ds.entered.length - before) < count; i++) await ctx.sleep(2);
  const admitted = ds.entered.length - before;
  ds.gate = null;
  gate.open();
  const outcomes = await Promise.all(pending);
  return { admitted, outcomes };
}

const count = (xs: Outcome[], o: Outcome) => xs.filter((x) => x === o).length;

export default defineSuites({
  correctness: [
    sample('passes calls through while closed, errors included', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 });
      await expectState(b, 0, 'closed');
      expect(await b.call('execute', { id: 1, payload: { amount: 42 } }, 0), 'execute({id: 1, payload: {amount: 42}}, 0)').toEqual({
        id: 1,
        ok: true,
        echo: { amount: 42 },
      });
      const err = await expectRejects(b.call('execute', { id: 2, fail: true }, 5), 'DownstreamError', 'execute({id: 2, fail: true}, 5)');
      expect(
        err.message.includes('downstream failed request 2'),
        `the downstream's error message is passed on (got "${err.message}")`,
      ).toBe(true);
      await expectState(b, 5, 'closed');
      expect(ds.entered, 'requests that reached the downstream').toEqual([1, 2]);
    }),
    sample('opens after failureThreshold consecutive failures, then fails fast', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 });
      await expectRejects(b.call('execute', { id: 1, fail: true }, 10), 'DownstreamError', 'execute(#1 fails, 10)');
      await expectRejects(b.call('execute', { id: 2, fail: true }, 20), 'DownstreamError', 'execute(#2 fails, 20)');
      await expectState(b, 20, 'closed');
      await expectRejects(b.call('execute', { id: 3, fail: true }, 30), 'DownstreamError', 'execute(#3 fails, 30)');
      await expectState(b, 30, 'open');
      await expectRejects(b.call('execute', { id: 4 }, 40), 'CircuitOpenError', 'execute(#4, 40) while open');
      expect(ds.entered, 'requests that reached the downstream (#4 must not)').toEqual([1, 2, 3]);
    }),
    sample('after the cool-down a successful trial call closes the circuit', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 2, cooldownMs: 1000, halfOpenMaxCalls: 1 });
      await expectRejects(b.call('execute', { id: 1, fail: true }, 20), 'DownstreamError', 'execute(#1 fails, 20)');
      await expectRejects(b.call('execute', { id: 2, fail: true }, 30), 'DownstreamError', 'execute(#2 fails, 30)');
      await expectState(b, 1029, 'open');
      await expectState(b, 1030, 'half-open');
      expect(await b.call('execute', { id: 3 }, 1030), 'execute(#3, 1030): the trial call').toEqual({ id: 3, ok: true, echo: null });
      await expectState(b, 1030, 'closed');
      expect(await b.call('execute', { id: 4 }, 1031), 'execute(#4, 1031)').toEqual({ id: 4, ok: true, echo: null });
      expect(ds.entered, 'requests that reached the downstream').toEqual([1, 2, 3, 4]);
    }),

    test('a success resets the count of consecutive failures', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 3, cooldownMs: 500, halfOpenMaxCalls: 1 });
      for (const [i, o] of (['failed', 'failed', 'ok', 'failed', 'failed', 'ok', 'failed', 'failed'] as Outcome[]).entries())
        await expectOutcome(b, o === 'ok' ? ok() : bad(), 100 + i, o);
      await expectState(b, 110, 'closed');
      await expectOutcome(b, bad(), 111, 'failed');
      await expectState(b, 111, 'open');
      await expectOutcome(b, ok(), 112, 'rejected');
    }),
    test('the cool-down runs from the failure that opened the circuit, to the millisecond', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 2, cooldownMs: 750, halfOpenMaxCalls: 1 });
      const openedAt = await trip(b, 2, 5000);
      await expectOutcome(b, ok(), openedAt + 1, 'rejected');
      await expectOutcome(b, ok(), openedAt + 749, 'rejected');
      await expectState(b, openedAt + 749, 'open');
      const before = ds.entered.length;
      await expectOutcome(b, ok(), openedAt + 750, 'ok');
      expect(ds.entered.length - before, 'trial calls that reached the downstream').toBe(1);
      await expectState(b, openedAt + 750, 'closed');
    }),
    test('rejected calls do not extend the cool-down', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 1, cooldownMs: 300, halfOpenMaxCalls: 1 });
      const openedAt = await trip(b, 1, 1000);
      for (let t = openedAt; t < openedAt + 300; t += 20) await expectOutcome(b, ok(), t, 'rejected');
      expect(ds.entered.length, 'calls that reached the downstream while open').toBe(1);
      await expectOutcome(b, ok(), openedAt + 300, 'ok');
    }),
    test('a failed trial reopens the circuit and restarts the cool-down from the trial', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 2, cooldownMs: 1000, halfOpenMaxCalls: 1 });
      await trip(b, 2, 30);
      await expectOutcome(b, bad(), 1100, 'failed');
      await expectState(b, 1100, 'open');
      await expectOutcome(b, ok(), 1101, 'rejected');
      await expectOutcome(b, ok(), 2000, 'rejected');
      await expectOutcome(b, ok(), 2099, 'rejected');
      await expectState(b, 2099, 'open');
      await expectState(b, 2100, 'half-open');
      await expectOutcome(b, ok(), 2100, 'ok');
      await expectState(b, 2100, 'closed');
    }),
    test('with halfOpenMaxCalls = 3 it takes three successful trials to close', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 3 });
      await trip(b, 2, 10);
      await expectOutcome(b, ok(), 110, 'ok');
      await expectState(b, 110, 'half-open');
      await expectOutcome(b, ok(), 111, 'ok');
      await expectState(b, 111, 'half-open');
      await expectOutcome(b, ok(), 112, 'ok');
      await expectState(b, 112, 'closed');
    }),
    test('with halfOpenMaxCalls = 3 one failed trial reopens the circuit', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 3 });
      await trip(b, 2, 10);
      await expectOutcome(b, ok(), 110, 'ok');
      await expectOutcome(b, bad(), 115, 'failed');
      await expectState(b, 115, 'open');
      await expectOutcome(b, ok(), 214, 'rejected');
      for (const t of [215, 216, 217]) await expectOutcome(b, ok(), t, 'ok');
      await expectState(b, 217, 'closed');
    }),
    test('after closing, the failure count starts from zero', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 3, cooldownMs: 50, halfOpenMaxCalls: 1 });
      await trip(b, 3, 10);
      await expectOutcome(b, ok(), 60, 'ok');
      await expectState(b, 60, 'closed');
      await expectOutcome(b, bad(), 61, 'failed');
      await expectOutcome(b, bad(), 62, 'failed');
      await expectState(b, 62, 'closed');
      await expectOutcome(b, bad(), 63, 'failed');
      await expectState(b, 63, 'open');
    }),
    test('failureThreshold = 1 opens on the first failure', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 1, cooldownMs: 10, halfOpenMaxCalls: 1 });
      await expectOutcome(b, ok(), 0, 'ok');
      await expectOutcome(b, bad(), 1, 'failed');
      await expectOutcome(b, ok(), 2, 'rejected');
      await expectOutcome(b, bad(), 11, 'failed');
      await expectOutcome(b, ok(), 12, 'rejected');
      await expectOutcome(b, ok(), 21, 'ok');
    }),
    test('state() only reports; it never changes what execute() does', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 2 });
      for (let t = 0; t < 5; t++) await expectState(b, t, 'closed');
      await trip(b, 2, 10);
      for (const t of [10, 50, 109]) await expectState(b, t, 'open');
      for (const t of [110, 110, 110]) await expectState(b, t, 'half-open');
      await expectOutcome(b, ok(), 110, 'ok');
      await expectState(b, 110, 'half-open');
      await expectOutcome(b, ok(), 110, 'ok');
      await expectState(b, 110, 'closed');
    }),
    test('requests and results pass through unchanged', async (ctx) => {
      const { b } = await setup(ctx, { failureThreshold: 5, cooldownMs: 100, halfOpenMaxCalls: 1 });
      const payload = { user: 'ada', items: [1, 2, { sku: 'x-1', qty: 3 }], note: null, nested: { deep: [true, false] } };
      expect(await b.call('execute', { id: 77, payload }, 0), 'execute(...) result').toEqual({ id: 77, ok: true, echo: payload });
    }),
    test('invalid options throw a RangeError', async (ctx) => {
      const good: Options = { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 };
      const ds = new Downstream(ctx, 0);
      const bads: Array<Record<string, unknown>> = [
        { ...good, failureThreshold: 0 },
        { ...good, failureThreshold: 2.5 },
        { ...good, cooldownMs: 0 },
        { ...good, cooldownMs: -100 },
        { ...good, halfOpenMaxCalls: 0 },
        { ...good, halfOpenMaxCalls: 1.5 },
        { cooldownMs: 1000, halfOpenMaxCalls: 1 },
      ];
      for (const opts of bads)
        await expectRejects(
          ctx.subject.construct('CircuitBreaker', ctx.expose({ call: (r: Req) => ds.call(r) }), opts),
          'RangeError',
          `new CircuitBreaker(downstream, ${JSON.stringify(opts)})`,
        );
    }),
    test(
      'a long random sequence of calls matches the rules (threshold 3, 1 trial)',
      async (ctx) => {
        await modelCheck(ctx, { failureThreshold: 3, cooldownMs: 200, halfOpenMaxCalls: 1 }, 300);
      },
      { timeoutMs: 10_000 },
    ),
    test(
      'a long random sequence of calls matches the rules (threshold 5, 3 trials)',
      async (ctx) => {
        await modelCheck(ctx, { failureThreshold: 5, cooldownMs: 1000, halfOpenMaxCalls: 3 }, 300);
      },
      { timeoutMs: 10_000 },
    ),
  ],
  stress: [
    test(
      'when the cool-down ends, 200 concurrent calls let exactly halfOpenMaxCalls trials through',
      async (ctx) => {
        const { b, ds } = await setup(ctx, { failureThreshold: 2, cooldownMs: 500, halfOpenMaxCalls: 3 }, 3);
        let t = 1000;
        for (let episode = 0; episode < 3; episode++) {
          const openedAt = await trip(b, 2, t);
          const { admitted, outcomes } = await burst(ctx, b, ds, 200, openedAt + 500, ok);
          expect(admitted, `episode ${episode}: calls that reached the downstream in half-open`).toBe(3);
          expect(count(outcomes, 'ok'), `episode ${episode}: successful calls`).toBe(3);
          expect(count(outcomes, 'rejected'), `episode ${episode}: calls rejected with CircuitOpenError`).toBe(197);
          await expectState(b, openedAt + 500, 'closed');
          const after = await Promise.all(Array.from({ length: 50 }, () => run(b, ok(), openedAt + 501)));
          expect(count(after, 'ok'), `episode ${episode}: concurrent calls passing once closed`).toBe(50);
          t = openedAt + 10_000;
        }
      },
      { timeoutMs: 15_000 },
    ),
    test(
      'concurrent trials that fail reopen the circuit once',
      async (ctx) => {
        const { b, ds } = await setup(ctx, { failureThreshold: 3, cooldownMs: 400, halfOpenMaxCalls: 5 }, 3);
        const openedAt = await trip(b, 3, 2000);
        const first = await burst(ctx, b, ds, 100, openedAt + 400, bad);
        expect(first.admitted, 'failing trials that reached the downstream').toBe(5);
        expect(count(first.outcomes, 'failed'), 'trial failures passed on').toBe(5);
        const reopenedAt = openedAt + 400;
        await expectState(b, reopenedAt, 'open');
        await expectOutcome(b, ok(), reopenedAt + 399, 'rejected');
        const second = await burst(ctx, b, ds, 100, reopenedAt + 400, ok);
        expect(second.admitted, 'trials that reached the downstream after the second cool-down').toBe(5);
        expect(count(second.outcomes, 'rejected'), 'calls rejected during the second half-open').toBe(95);
        await expectState(b, reopenedAt + 400, 'closed');
      },
      { timeoutMs: 15_000 },
    ),
    test('trial permits are used up by admission, not returned when a trial finishes', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 1, cooldownMs: 100, halfOpenMaxCalls: 2 }, 3);
      const openedAt = await trip(b, 1, 500);
      const now = openedAt + 100;
      const t1 = run(b, { id: nextId++, hold: 'trial-1' }, now);
      const t2 = run(b, { id: nextId++, hold: 'trial-2' }, now);
      for (let i = 0; i < 500 && ds.inFlight < 2; i++) await ctx.sleep(2);
      expect(ds.inFlight, 'trial calls in flight').toBe(2);
      ds.hold('trial-1').open();
      expect(await t1, 'first trial').toBe('ok');
      await expectState(b, now, 'half-open');
      await expectOutcome(b, ok(), now, 'rejected');
      ds.hold('trial-2').open();
      expect(await t2, 'second trial').toBe('ok');
      await expectState(b, now, 'closed');
    }),
    test('outcomes of calls admitted before a state change are ignored', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 1 }, 3);
      // Two slow calls admitted while closed: one will succeed late, one will fail late.
      const lateSuccess = run(b, { id: nextId++, hold: 'late-success' }, 0);
      const lateFailure = run(b, { id: nextId++, fail: true, hold: 'late-failure' }, 0);
      for (let i = 0; i < 500 && ds.inFlight < 2; i++) await ctx.sleep(2);
      await expectOutcome(b, bad(), 1, 'failed');
      await expectOutcome(b, bad(), 2, 'failed');
      await expectState(b, 2, 'open');
      // Half-open: one trial, held.
      const trial = run(b, { id: nextId++, hold: 'trial' }, 102);
      for (let i = 0; i < 500 && ds.inFlight < 3; i++) await ctx.sleep(2);
      ds.hold('late-failure').open();
      expect(await lateFailure, 'the late failure is still passed on to its caller').toBe('failed');
      await expectState(b, 102, 'half-open');
      ds.hold('late-success').open();
      expect(await lateSuccess, 'the late success is still returned to its caller').toBe('ok');
      await expectState(b, 102, 'half-open');
      await expectOutcome(b, ok(), 103, 'rejected');
      ds.hold('trial').open();
      expect(await trial, 'the trial').toBe('ok');
      await expectState(b, 103, 'closed');
    }),
    test('concurrent failures while closed open the circuit once, from their own time', async (ctx) => {
      const { b, ds } = await setup(ctx, { failureThreshold: 5, cooldownMs: 300, halfOpenMaxCalls: 1 }, 3);
      const { admitted, outcomes } = await burst(ctx, b, ds, 100, 7000, bad);
      expect(admitted, 'calls admitted while closed').toBe(100);
      expect(count(outcomes, 'failed'), 'failures passed on').toBe(100);
      await expectState(b, 7000, 'open');
      await expectState(b, 7299, 'open');
      await expectState(b, 7300, 'half-open');
      await expectOutcome(b, ok(), 7300, 'ok');
      await expectState(b, 7300, 'closed');
    }),
  ],
});
