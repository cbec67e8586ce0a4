import { defineSuites, expect, expectRejects, fail, sample, test, type Rng, type TestContext } from '@assay/sdk';

interface Options {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  deadlineMs?: number;
  nonRetryable?: string[];
}

/** What one attempt does: fail with an error of this name, or succeed with a value; it takes `tookMs` of clock time. */
type Step = { fail: string; tookMs?: number } | { value: unknown; tookMs?: number };

type Outcome = { ok: unknown } | { error: string; message: string };

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Driver-owned clock, sleep and random: every call is recorded; sleeping advances the clock. */
function makeEnv(ctx: TestContext, randoms: number[], startMs: number) {
  const log = { t: startMs, sleeps: [] as number[], drawn: 0 };
  const env = {
    now: () => log.t,
    sleep: async (ms: number) => {
      log.sleeps.push(ms);
      if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) log.t += ms;
      await ctx.sleep(ctx.rng.int(0, 1));
    },
    random: () => {
      // past the planned draws, keep answering; the test then reports the extra draw
      return log.drawn < randoms.length ? randoms[log.drawn++]! : (log.drawn++, 0.5);
    },
  };
  return { env, log };
}

/** Driver-owned operation following a plan; each attempt records its number and start time. */
function makeOp(ctx: TestContext, plan: Step[], clock: { t: number }) {
  const calls: Array<{ attempt: number; at: number }> = [];
  const op = {
    run: async (attempt: number) => {
      calls.push({ attempt, at: clock.t });
      const step = plan[calls.length - 1];
      await ctx.sleep(ctx.rng.int(0, 1));
      if (!step) throw namedError('UnexpectedAttempt', `attempt ${attempt} was not expected`);
      clock.t += step.tookMs ?? 0;
      if ('fail' in step) throw namedError(step.fail, `attempt ${attempt} failed (${step.fail})`);
      return step.value;
    },
  };
  return { op, calls };
}

/** The behaviour the statement specifies, step by step. */
function model(o: Options, plan: Step[], randoms: number[], startMs: number) {
  let t = startMs;
  let drawn = 0;
  const attempts: Array<{ attempt: number; at: number }> = [];
  const sleeps: number[] = [];
  for (let attempt = 1; ; attempt++) {
    attempts.push({ attempt, at: t });
    const step = plan[attempt - 1];
    if (!step) throw new Error('test bug: plan too short');
    t += step.tookMs ?? 0;
    if (!('fail' in step)) return { attempts, sleeps, outcome: { ok: step.value } as Outcome };
    const outcome: Outcome = { error: step.fail, message: `attempt ${attempt} failed (${step.fail})` };
    if ((o.nonRetryable ?? []).includes(step.fail) || attempt >= o.maxAttempts) return { attempts, sleeps, outcome };
    const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.floor(randoms[drawn++]! * cap);
    if (o.deadlineMs !== undefined && t + delay > startMs + o.deadlineMs) return { attempts, sleeps, outcome };
    sleeps.push(delay);
    t += delay;
  }
}

async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as { remote?: boolean; remoteName?: string; message?: string };
    if (!err || err.remote !== true) throw e;
    return { error: err.remoteName ?? '', message: err.message ?? '' };
  }
}

function sameOutcome(actual: Outcome, expected: Outcome): boolean {
  if ('ok' in expected) return 'ok' in actual && JSON.stringify(actual.ok) === JSON.stringify(expected.ok);
  return 'error' in actual && actual.error === expected.error && actual.message.includes(expected.message);
}

function describe(o: Outcome): string {
  return 'ok' in o ? `resolves with ${JSON.stringify(o.ok)}` : `rejects with ${o.error}: "${o.message}"`;
}

/** Runs one execution and checks attempts, delays and outcome against the model. */
async function scenario(ctx: TestContext, o: Options, plan: Step[], randoms: number[], startMs = 0, constructAtMs = startMs) {
  const { env, log } = makeEnv(ctx, randoms, constructAtMs);
  const { op, calls } = makeOp(ctx, plan, log);
  const policy = await ctx.subject.construct('RetryPolicy', o, ctx.expose(env));
  log.t = startMs;
  const want = model(o, plan, randoms, startMs);
  const got = await outcomeOf(policy.call('execute', ctx.expose(op)));
  expect(
    calls.map((c) => c.attempt),
    'attempt numbers passed to run()',
  ).toEqual(want.attempts.map((a) => a.attempt));
  expect(log.sleeps, 'delays passed to sleep()').toEqual(want.sleeps);
  expect(
    calls.map((c) => c.at),
    'clock time at which each attempt started',
  ).toEqual(want.attempts.map((a) => a.at));
  if (!sameOutcome(got, want.outcome))
    fail(`execute(): expected it to ${describe(want.outcome)}, but it ${describe(got)}`, want.outcome, got);
  if (log.drawn < want.sleeps.length || log.drawn > want.sleeps.length + 1)
    fail(
      `random() should be drawn once per retry delay: expected ${want.sleeps.length} draws (one more is allowed when giving up at the deadline), got ${log.drawn}`,
    );
}

function randoms(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

const failN = (n: number, name = 'TransientError', tookMs = 0): Step[] => Array.from({ length: n }, () => ({ fail: name, tookMs }));

const opts = (o: Partial<Options> = {}): Options => ({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, ...o });

export default defineSuites({
  correctness: [
    sample('returns the result of a first attempt that succeeds, without sleeping', async (ctx) => {
      await scenario(ctx, opts(), [{ value: { id: 'ch_1', amount: 500 } }], []);
    }),
    sample('retries with capped exponential backoff and full jitter', async (ctx) => {
      // caps: 100, 200, 400, 500 (maxDelayMs); delay = floor(random * cap)
      const o = opts({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500 });
      await scenario(ctx, o, [...failN(4), { value: 'done' }], [0.5, 0.25, 0.9, 0.999]);
      // expected delays: 50, 50, 360, 499
    }),
    sample('gives up after maxAttempts and rejects with the last error', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 3 }), failN(3), [0.1, 0.7]);
    }),
    sample('does not retry an error named in nonRetryable', async (ctx) => {
      await scenario(
        ctx,
        opts({ nonRetryable: ['CardDeclined'] }),
        [{ fail: 'TransientError' }, { fail: 'CardDeclined' }, { value: 1 }],
        [0.5],
      );
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
        const plan = fails < o.maxAttempts ? [...failN(fails), { value: i }] : failN(fails);
        await scenario(ctx, o, plan, randoms(ctx.rng, o.maxAttempts));
      }
    }),
    test('the cap stops growing at maxDelayMs even after many attempts', async (ctx) => {
      const o = opts({ maxAttempts: 40, baseDelayMs: 3, maxDelayMs: 2500 });
      const r = randoms(ctx.rng, 39).map((x, i) => (i % 5 === 0 ? 0.9999 : x));
      await scenario(ctx, o, failN(40), r);
    }),
    test('full jitter: a draw of 0 gives a zero delay, and sleep(0) is still requested', async (ctx) => {
      await scenario(ctx, opts({ maxAttempts: 4 }), [...failN(3), { value: 'ok' }], [0, 0.5, 0]);
    }),
    test('non-retryable errors stop at once, other names are retried', async (ctx) => {
      const o = opts({ maxAttempts: 8, nonRetryable: ['ValidationError', 'CardDeclined'] });
      await scenario(ctx, o, [{ fail: 'TimeoutError' }, { fail: 'ServiceUnavailable' }, { fail: 'ValidationError' }], randoms(ctx.rng, 3));
      await scenario(ctx, o, [{ fail: 'CardDeclined' }], []);
      await scenario(
        ctx,
        opts({ maxAttempts: 3 }),
        [{ fail: 'CardDeclined' }, { fail: 'ValidationError' }, { value: 'fine' }],
        randoms(ctx.rng, 2),
      );
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
      const r = randoms(ctx.rng, 6);
      const { env, log } = makeEnv(ctx, r, 0);
      const policy = await ctx.subject.construct('RetryPolicy', o, ctx.expose(env));
      let offset = 0;
      for (const [i, plan] of [[...failN(2, 'TransientError', 5), { value: 'a' }], failN(4, 'TransientError', 5)].entries()) {
        log.t = 100_000 * (i + 1);
        const startSleeps = log.sleeps.length;
        const { op, calls } = makeOp(ctx, plan, log);
        const want = model(o, plan, r.slice(offset), log.t);
        const got = await outcomeOf(policy.call('execute', ctx.expose(op)));
        expect(
          calls.map((c) => c.attempt),
          `execution ${i + 1}: attempt numbers`,
        ).toEqual(want.attempts.map((a) => a.attempt));
        expect(log.sleeps.slice(startSleeps), `execution ${i + 1}: delays`).toEqual(want.sleeps);
        if (!sameOutcome(got, want.outcome)) fail(`execution ${i + 1}: expected it to ${describe(want.outcome)}, but it ${describe(got)}`);
        offset += want.sleeps.length;
      }
    }),
    test('passes the operation result through unchanged', async (ctx) => {
      const value = { charge: { id: 'ch_9', amountCents: 1999, tags: ['a', 'b'] }, ok: true, n: null };
      await scenario(ctx, opts(), [{ fail: 'TransientError' }, { value }], [0.3]);
    }),
    test('invalid options throw a RangeError from the constructor', async (ctx) => {
      const env = ctx.expose({ now: () => 0, sleep: async () => {}, random: () => 0.5 });
      const bad: Options[] = [
        opts({ maxAttempts: 0 }),
        opts({ maxAttempts: 2.5 }),
        opts({ baseDelayMs: 0 }),
        opts({ baseDelayMs: -10 }),
        opts({ baseDelayMs: 100, maxDelayMs: 99 }),
        opts({ deadlineMs: 0 }),
        opts({ deadlineMs: -5 }),
      ];
      for (const o of bad)
        await expectRejects(ctx.subject.construct('RetryPolicy', o, env), 'RangeError', `new RetryPolicy(${JSON.stringify(o)})`);
      await ctx.subject.construct('RetryPolicy', opts({ baseDelayMs: 100, maxDelayMs: 100 }), env);
    }),
  ],

  stress: [
    test('100 concurrent executions through one policy each keep their own attempts', async (ctx) => {
      const o = opts({ maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 });
      const { env, log } = makeEnv(ctx, randoms(ctx.rng, 400), 0);
      const policy = await ctx.subject.construct('RetryPolicy', o, ctx.expose(env));
      const runs = Array.from({ length: 100 }, (_, i) => {
        const fails = ctx.rng.int(0, 4);
        const calls: number[] = [];
        const op = {
          run: async (attempt: number) => {
            calls.push(attempt);
            await ctx.sleep(ctx.rng.int(0, 3));
            if (calls.length <= fails) throw namedError('TransientError', `op ${i} attempt ${calls.length} failed`);
            return { op: i, attempt: calls.length };
          },
        };
        return { i, fails, calls, op };
      });
      const outcomes = await Promise.all(runs.map((r) => outcomeOf(policy.call('execute', ctx.expose(r.op)))));
      let expectedSleeps = 0;
      for (const r of runs) {
        const n = Math.min(r.fails + 1, 4);
        expectedSleeps += n - 1;
        expect(r.calls, `execution ${r.i} (fails ${r.fails} times): attempt numbers`).toEqual(Array.from({ length: n }, (_, k) => k + 1));
        const want: Outcome =
          r.fails < 4 ? { ok: { op: r.i, attempt: n } } : { error: 'TransientError', message: `op ${r.i} attempt 4 failed` };
        if (!sameOutcome(outcomes[r.i]!, want))
          fail(`execution ${r.i}: expected it to ${describe(want)}, but it ${describe(outcomes[r.i]!)}`);
      }
      expect(log.sleeps.length, 'number of sleeps across all executions').toBe(expectedSleeps);
      expect(
        log.sleeps.every((d) => Number.isInteger(d) && d >= 0 && d < 50),
        'every delay is an integer in [0, maxDelayMs)',
      ).toBe(true);
    }),
    test('200 concurrent executions with non-retryable failures each stop on their own', async (ctx) => {
      const o = opts({ maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 40, nonRetryable: ['Fatal'] });
      const { env } = makeEnv(ctx, randoms(ctx.rng, 1000), 0);
      const policy = await ctx.subject.construct('RetryPolicy', o, ctx.expose(env));
      const runs = Array.from({ length: 200 }, (_, i) => {
        const fatalAt = ctx.rng.int(1, 7); // > 5: never fatal
        const okAt = ctx.rng.int(1, 7);
        const calls: number[] = [];
        const op = {
          run: async (attempt: number) => {
            calls.push(attempt);
            await ctx.sleep(ctx.rng.int(0, 2));
            const k = calls.length;
            if (k === fatalAt && k < okAt) throw namedError('Fatal', `op ${i} fatal at ${k}`);
            if (k < okAt) throw namedError('TransientError', `op ${i} attempt ${k} failed`);
            return `op ${i} ok at ${k}`;
          },
        };
        const last = Math.min(fatalAt < okAt ? fatalAt : okAt, 5);
        const want: Outcome =
          fatalAt < okAt && fatalAt <= 5
            ? { error: 'Fatal', message: `op ${i} fatal at ${fatalAt}` }
            : okAt <= 5
              ? { ok: `op ${i} ok at ${okAt}` }
              : { error: 'TransientError', message: `op ${i} attempt 5 failed` };
        return { i, calls, op, last, want };
      });
      const outcomes = await Promise.all(runs.map((r) => outcomeOf(policy.call('execute', ctx.expose(r.op)))));
      for (const r of runs) {
        expect(r.calls, `execution ${r.i}: attempt numbers`).toEqual(Array.from({ length: r.last }, (_, k) => k + 1));
        if (!sameOutcome(outcomes[r.i]!, r.want))
          fail(`execution ${r.i}: expected it to ${describe(r.want)}, but it ${describe(outcomes[r.i]!)}`);
      }
    }),
  ],
});
