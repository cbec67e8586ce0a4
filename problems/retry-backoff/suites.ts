import {
  defineSuites,
  describeOutcome,
  expect,
  expectRejects,
  fail,
  jitter,
  ManualClock,
  namedError,
  outcome,
  sample,
  show,
  test,
  type Outcome,
  type Rng,
  type TestContext,
} from '@assay/sdk';

type Options = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; deadlineMs?: number; nonRetryable?: string[] };
type RetryPolicy = { execute(operation: object): unknown };

/** What one attempt does: fail with an error of this name, or succeed with a value; it takes `tookMs` of clock time. */
type Step = { fail: string; tookMs?: number } | { value: unknown; tookMs?: number };
const failN = (n: number, name = 'TransientError', tookMs = 0): Step[] => Array.from({ length: n }, () => ({ fail: name, tookMs }));
const attemptError = (attempt: number, name: string) => `attempt ${attempt} failed (${name})`;

const opts = (o: Partial<Options> = {}): Options => ({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, ...o });
const randoms = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

/**
 * The injected environment: a clock that only sleeping (and the operation's work) moves, every
 * sleep recorded, and random() answering the planned draws in order (then 0.5, counted, so an
 * extra draw is reported rather than crashing). A sleep takes 1–3 ms of real time and moves the
 * clock only when it ends, as a real one would: an attempt made before the sleep has ended (a
 * sleep not awaited, or awaited together with the attempt) starts at the wrong clock time, and
 * `sleeping` says a sleep was still running when it started.
 */
function environment(ctx: TestContext, draws: number[], atMs: number) {
  const clock = new ManualClock(atMs);
  const log = { clock, sleeps: [] as unknown[], drawn: 0, sleeping: 0 };
  const env = {
    now: () => clock.now(),
    async sleep(ms: number) {
      log.sleeps.push(ms);
      log.sleeping++;
      try {
        await jitter(ctx, [1, 3]);
        if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) clock.advance(ms);
      } finally {
        log.sleeping--;
      }
      await jitter(ctx, 1);
    },
    random: () => draws[log.drawn++] ?? 0.5,
  };
  return { env: ctx.expose(env), log };
}

type Attempt = { attempt: number; at: number };
const numbers = (attempts: Attempt[]) => attempts.map((a) => a.attempt);
const startTimes = (attempts: Attempt[]) => attempts.map((a) => a.at);

/**
 * An operation following `plan`, one step per attempt; each attempt records its number and the time it started, and
 * `early` the attempts that started while one of the environment's sleeps was still running.
 */
function operation(ctx: TestContext, plan: Step[], log: { clock: ManualClock; sleeping: number }) {
  const { clock } = log;
  const calls: Attempt[] = [];
  const early: number[] = [];
  const op = {
    async run(attempt: number) {
      calls.push({ attempt, at: clock.now() });
      if (log.sleeping > 0) early.push(attempt);
      const step = plan[calls.length - 1];
      await jitter(ctx, 1);
      if (!step) throw namedError('UnexpectedAttempt', `attempt ${attempt} was not expected`);
      clock.advance(step.tookMs ?? 0);
      if ('fail' in step) throw namedError(step.fail, attemptError(attempt, step.fail));
      return step.value;
    },
  };
  return { op: ctx.expose(op), calls, early };
}

/** No attempt may start before the sleep that precedes it has ended. */
function expectNoEarlyAttempt(early: number[], what = 'attempts'): void {
  if (early.length > 0)
    fail(
      `${what} ${early.join(', ')} started while env.sleep() was still running: await the sleep before the next attempt`,
      'no attempt during a sleep',
      early,
    );
}

/** What the statement says happens: the attempts (number, start time), the delays slept, the result. */
function expected(o: Options, plan: Step[], draws: number[], startMs: number) {
  const [attempts, sleeps] = [[] as Attempt[], [] as number[]];
  for (let attempt = 1, t = startMs; ; attempt++) {
    attempts.push({ attempt, at: t });
    const step = plan[attempt - 1];
    if (!step) throw new Error('test bug: plan too short');
    t += step.tookMs ?? 0;
    if (!('fail' in step)) return { attempts, sleeps, outcome: { ok: step.value } as Outcome };
    const outcome: Outcome = { error: step.fail, message: attemptError(attempt, step.fail) };
    if ((o.nonRetryable ?? []).includes(step.fail) || attempt >= o.maxAttempts) return { attempts, sleeps, outcome };
    const delay = Math.floor(draws[sleeps.length]! * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1)));
    if (o.deadlineMs !== undefined && t + delay > startMs + o.deadlineMs) return { attempts, sleeps, outcome };
    sleeps.push(delay);
    t += delay;
  }
}

/** The same value (compared as JSON), or the same error name with the operation's message in it. */
function expectOutcome(got: Outcome, want: Outcome, what: string): void {
  const same =
    'ok' in want
      ? 'ok' in got && JSON.stringify(got.ok) === JSON.stringify(want.ok)
      : 'error' in got && got.error === want.error && got.message.includes(want.message);
  if (!same) fail(`${what}: expected it to have ${describeOutcome(want)}, but it ${describeOutcome(got)}`, want, got);
}

/** One execution, checked against the statement: attempt numbers, delays, start times, the result, the draws. */
async function scenario(ctx: TestContext, o: Options, plan: Step[], draws: number[], startMs = 0, constructAtMs = startMs) {
  const { env, log } = environment(ctx, draws, constructAtMs);
  const policy = await ctx.construct<RetryPolicy>('RetryPolicy', o, env);
  log.clock.advanceTo(startMs);
  const want = expected(o, plan, draws, startMs);
  const { op, calls, early } = operation(ctx, plan, log);
  const got = await outcome(policy.execute(op));
  expect(numbers(calls), 'attempt numbers passed to run()').toEqual(numbers(want.attempts));
  expect(log.sleeps, 'delays passed to sleep()').toEqual(want.sleeps);
  expectNoEarlyAttempt(early);
  expect(startTimes(calls), 'clock time at which each attempt started').toEqual(startTimes(want.attempts));
  expectOutcome(got, want.outcome, 'execute()');
  if (log.drawn < want.sleeps.length || log.drawn > want.sleeps.length + 1)
    fail(
      `random() should be drawn once per retry delay: expected ${want.sleeps.length} draws ` +
        `(one more is allowed when giving up at the deadline), got ${log.drawn}`,
    );
}

/** `count` executions at once through one policy, each with its own operation answering after 0–`latencyMs`. */
async function concurrent(
  ctx: TestContext,
  o: Options,
  env: object,
  count: number,
  latencyMs: number,
  answer: (i: number, k: number) => unknown,
) {
  const policy = await ctx.construct<RetryPolicy>('RetryPolicy', o, env);
  const calls = Array.from({ length: count }, () => [] as number[]);
  const op = (i: number) =>
    ctx.expose({
      async run(attempt: number) {
        calls[i]!.push(attempt);
        await jitter(ctx, latencyMs);
        return answer(i, calls[i]!.length);
      },
    });
  return { outcomes: await Promise.all(calls.map((_, i) => outcome(policy.execute(op(i))))), calls };
}
const upTo = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

export default defineSuites({
  correctness: [
    sample('returns the result of a first attempt that succeeds, without sleeping', async (ctx) => {
      await scenario(ctx, opts(), [{ value: { id: 'ch_1', amount: 500 } }], []);
    }),
    sample('retries with capped exponential backoff and full jitter', async (ctx) => {
      // caps: 100, 200, 400, 500 (maxDelayMs); delay = floor(random * cap): 50, 50, 360, 499
      await scenario(
        ctx,
        opts({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500 }),
        [...failN(4), { value: 'done' }],
        [0.5, 0.25, 0.9, 0.999],
      );
    }),
    sample('gives up after maxAttempts and rejects with the last error', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 3 }), failN(3), [0.1, 0.7]);
    }),
    sample('does not retry an error named in nonRetryable', async (ctx) => {
      const plan = [{ fail: 'TransientError' }, { fail: 'CardDeclined' }, { value: 1 }];
      await scenario(ctx, opts({ nonRetryable: ['CardDeclined'] }), plan, [0.5]);
    }),

    test('maxAttempts 1 makes exactly one attempt', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 1 }), failN(1), []);
      await scenario(ctx, opts({ maxAttempts: 1 }), [{ value: 7 }], []);
    }),
    test('succeeds on the last allowed attempt', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 4 }), [...failN(3), { value: 'last' }], randoms(ctx.rng, 3));
    }),
    test('delays follow floor(random * min(maxDelayMs, baseDelayMs * 2^(attempt-1)))', async (ctx) => {
      for (let i = 0; i < 12; i++) {
        const base = ctx.rng.int(1, 300);
        const o = opts({ maxAttempts: ctx.rng.int(2, 9), baseDelayMs: base, maxDelayMs: base * ctx.rng.int(1, 40) + ctx.rng.int(0, base) });
        const fails = ctx.rng.int(1, o.maxAttempts);
        await scenario(ctx, o, fails < o.maxAttempts ? [...failN(fails), { value: i }] : failN(fails), randoms(ctx.rng, o.maxAttempts));
      }
    }),
    test('the cap stops growing at maxDelayMs even after many attempts', async (ctx) => {
      const draws = randoms(ctx.rng, 39).map((x, i) => (i % 5 === 0 ? 0.9999 : x));
      await scenario(ctx, opts({ maxAttempts: 40, baseDelayMs: 3, maxDelayMs: 2500 }), failN(40), draws);
    }),
    test('full jitter: a draw of 0 gives a zero delay, and sleep(0) is still requested', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 4 }), [...failN(3), { value: 'ok' }], [0, 0.5, 0]);
    }),
    test('non-retryable errors stop at once, other names are retried', async (ctx) => {
      const o = opts({ maxAttempts: 8, nonRetryable: ['ValidationError', 'CardDeclined'] });
      await scenario(ctx, o, [{ fail: 'TimeoutError' }, { fail: 'ServiceUnavailable' }, { fail: 'ValidationError' }], randoms(ctx.rng, 3));
      await scenario(ctx, o, [{ fail: 'CardDeclined' }], []);
      const plan = [{ fail: 'CardDeclined' }, { fail: 'ValidationError' }, { value: 'fine' }];
      await scenario(ctx, opts({ maxAttempts: 3 }), plan, randoms(ctx.rng, 2));
    }),
    test('the deadline stops retries whose delay would end past it', async (ctx) => {
      // every attempt takes 40 ms of clock time; budget 300 ms from the start
      const o = opts({ maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 400, deadlineMs: 300 });
      await scenario(ctx, o, failN(10, 'TransientError', 40), [0.9, 0.9, 0.9, 0.9, 0.9, 0.9], 10_000);
      for (let i = 0; i < 8; i++) {
        const od = opts({ maxAttempts: 12, baseDelayMs: ctx.rng.int(10, 100), maxDelayMs: 2000, deadlineMs: ctx.rng.int(100, 3000) });
        await scenario(ctx, od, failN(12, 'TransientError', ctx.rng.int(0, 60)), randoms(ctx.rng, 12), ctx.rng.int(0, 1_000_000));
      }
    }),
    test('a retry whose delay ends exactly at the deadline is still made', async (ctx) => {
      // start 1000; attempt 1 fails at 1000, delay floor(0.5*100)=50 -> 1050 = deadline: retry;
      // attempt 2 fails at 1050, delay floor(0.5*200)=100 -> past the deadline: give up
      await scenario(ctx, opts({ maxAttempts: 5, baseDelayMs: 100, deadlineMs: 50 }), failN(5), [0.5, 0.5], 1000);
    }),
    test('the deadline counts from the start of execute(), not from construction', async (ctx) => {
      const o = opts({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 700 });
      await scenario(ctx, o, [...failN(3), { value: 'late but fine' }], [0.99, 0.99, 0.99], 50_000, 0);
    }),
    test('a policy can be reused: each execution restarts attempts, delays and deadline', async (ctx) => {
      const o = opts({ maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 1000, deadlineMs: 5000 });
      const draws = randoms(ctx.rng, 6);
      const { env, log } = environment(ctx, draws, 0);
      const policy = await ctx.construct<RetryPolicy>('RetryPolicy', o, env);
      for (const [i, plan] of [[...failN(2, 'TransientError', 5), { value: 'a' }], failN(4, 'TransientError', 5)].entries()) {
        log.clock.advanceTo(100_000 * (i + 1));
        const slept = log.sleeps.length;
        const want = expected(o, plan, draws.slice(slept), log.clock.now());
        const { op, calls, early } = operation(ctx, plan, log);
        const got = await outcome(policy.execute(op));
        expect(numbers(calls), `execution ${i + 1}: attempt numbers`).toEqual(numbers(want.attempts));
        expect(log.sleeps.slice(slept), `execution ${i + 1}: delays`).toEqual(want.sleeps);
        expectNoEarlyAttempt(early, `execution ${i + 1}: attempts`);
        expect(startTimes(calls), `execution ${i + 1}: clock time at which each attempt started`).toEqual(startTimes(want.attempts));
        expectOutcome(got, want.outcome, `execution ${i + 1}`);
      }
    }),
    test('passes the operation result through unchanged', async (ctx) => {
      const value = { charge: { id: 'ch_9', amountCents: 1999, tags: ['a', 'b'] }, ok: true, n: null };
      await scenario(ctx, opts(), [{ fail: 'TransientError' }, { value }], [0.3]);
    }),
    test('invalid options throw a RangeError from the constructor', async (ctx) => {
      const env = ctx.expose({ now: () => 0, sleep: async () => {}, random: () => 0.5 });
      for (const o of [
        opts({ maxAttempts: 0 }),
        opts({ maxAttempts: 2.5 }),
        opts({ baseDelayMs: 0 }),
        opts({ baseDelayMs: -10 }),
        opts({ baseDelayMs: 100, maxDelayMs: 99 }),
        opts({ deadlineMs: 0 }),
        opts({ deadlineMs: -5 }),
        // not integers at all: NaN, Infinity and values that are not numbers (a missing required option included;
        // a null deadlineMs is left open, as some code takes null for "not set")
        ...(['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'deadlineMs'] as const).flatMap((k) =>
          [Number.NaN, Number.POSITIVE_INFINITY, '3', true, ...(k === 'deadlineMs' ? [] : [null])].map((v) =>
            opts({ [k]: v } as unknown as Partial<Options>),
          ),
        ),
        ...(['maxAttempts', 'baseDelayMs', 'maxDelayMs'] as const).map((k) => ({ ...opts(), [k]: undefined })),
      ])
        await expectRejects(ctx.construct('RetryPolicy', o, env), 'RangeError', `new RetryPolicy(${show(o)})`);
      await ctx.construct('RetryPolicy', opts({ baseDelayMs: 100, maxDelayMs: 100 }), env);
    }),
  ],

  stress: [
    test('100 concurrent executions through one policy each keep their own attempts', async (ctx) => {
      const { env, log } = environment(ctx, randoms(ctx.rng, 400), 0);
      const fails = Array.from({ length: 100 }, () => ctx.rng.int(0, 4));
      const { outcomes, calls } = await concurrent(ctx, opts({ maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 }), env, 100, 3, (i, k) => {
        if (k <= fails[i]!) throw namedError('TransientError', `op ${i} attempt ${k} failed`);
        return { op: i, attempt: k };
      });
      fails.forEach((f, i) => {
        const n = Math.min(f + 1, 4);
        expect(calls[i], `execution ${i} (fails ${f} times): attempt numbers`).toEqual(upTo(n));
        const want: Outcome = f < 4 ? { ok: { op: i, attempt: n } } : { error: 'TransientError', message: `op ${i} attempt 4 failed` };
        expectOutcome(outcomes[i]!, want, `execution ${i}`);
      });
      expect(log.sleeps.length, 'number of sleeps across all executions').toBe(fails.reduce((s, f) => s + Math.min(f + 1, 4) - 1, 0));
      const inRange = log.sleeps.every((d) => Number.isInteger(d) && (d as number) >= 0 && (d as number) < 50);
      expect(inRange, 'every delay is an integer in [0, maxDelayMs)').toBe(true);
    }),
    test('200 concurrent executions with non-retryable failures each stop on their own', async (ctx) => {
      const { env } = environment(ctx, randoms(ctx.rng, 1000), 0);
      // attempt k: Fatal at fatalAt, transient before okAt, success at okAt (either may be past maxAttempts 5)
      const plans = Array.from({ length: 200 }, () => ({ fatalAt: ctx.rng.int(1, 7), okAt: ctx.rng.int(1, 7) }));
      const o = opts({ maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 40, nonRetryable: ['Fatal'] });
      const { outcomes, calls } = await concurrent(ctx, o, env, 200, 2, (i, k) => {
        const { fatalAt, okAt } = plans[i]!;
        if (k === fatalAt && k < okAt) throw namedError('Fatal', `op ${i} fatal at ${k}`);
        if (k < okAt) throw namedError('TransientError', `op ${i} attempt ${k} failed`);
        return `op ${i} ok at ${k}`;
      });
      plans.forEach(({ fatalAt, okAt }, i) => {
        expect(calls[i], `execution ${i}: attempt numbers`).toEqual(upTo(Math.min(fatalAt < okAt ? fatalAt : okAt, 5)));
        const want: Outcome =
          fatalAt < okAt && fatalAt <= 5
            ? { error: 'Fatal', message: `op ${i} fatal at ${fatalAt}` }
            : okAt <= 5
              ? { ok: `op ${i} ok at ${okAt}` }
              : { error: 'TransientError', message: `op ${i} attempt 5 failed` };
        expectOutcome(outcomes[i]!, want, `execution ${i}`);
      });
    }),
  ],
});
