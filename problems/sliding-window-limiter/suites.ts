import { defineSuites, expect, expectRejects, sample, test, type RemoteObject, type Rng, type TestContext } from '@assay/sdk';

interface Options {
  limit: number;
  windowMs: number;
}

/** The exact sliding-window log, kept here (driver side) to compute expected answers. */
class Model {
  private readonly logs = new Map<string, number[]>();
  constructor(private readonly opts: Options) {}
  private log(key: string, now: number): number[] {
    const kept = (this.logs.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
    this.logs.set(key, kept);
    return kept;
  }
  tryAcquire(key: string, now: number): boolean {
    const log = this.log(key, now);
    if (log.length >= this.opts.limit) return false;
    log.push(now);
    return true;
  }
  remaining(key: string, now: number): number {
    return this.opts.limit - this.log(key, now).length;
  }
}

async function limiter(ctx: TestContext, opts: Options): Promise<RemoteObject> {
  return ctx.subject.construct('SlidingWindowLimiter', opts);
}

/** Runs `[key, nowMs]` requests in order and checks each answer. */
async function expectAnswers(l: RemoteObject, steps: Array<[string, number, boolean]>): Promise<void> {
  for (const [key, now, allowed] of steps) {
    expect(await l.call('tryAcquire', key, now), `tryAcquire(${JSON.stringify(key)}, ${now})`).toBe(allowed);
  }
}

/** A random request sequence (time never goes back) checked call by call against the model. */
async function modelCheck(
  ctx: TestContext,
  opts: Options,
  steps: number,
  keys: string[],
  maxGap: number,
  remainingEvery = 7,
): Promise<void> {
  const l = await limiter(ctx, opts);
  const model = new Model(opts);
  let now = ctx.rng.int(0, 1_000_000);
  for (let i = 0; i < steps; i++) {
    // Mostly small steps, sometimes a burst at the same instant, sometimes a long pause.
    const r = ctx.rng.next();
    now += r < 0.25 ? 0 : r < 0.95 ? ctx.rng.int(1, maxGap) : ctx.rng.int(opts.windowMs, opts.windowMs * 2);
    const key = ctx.rng.pick(keys);
    if (i % remainingEvery === remainingEvery - 1) {
      expect(await l.call('remaining', key, now), `step ${i}: remaining(${JSON.stringify(key)}, ${now})`).toBe(model.remaining(key, now));
    } else {
      expect(await l.call('tryAcquire', key, now), `step ${i}: tryAcquire(${JSON.stringify(key)}, ${now})`).toBe(
        model.tryAcquire(key, now),
      );
    }
  }
}

function probeWorkload(n: number, _rng: Rng) {
  // n allowed requests fill a window of limit n; every measured call then finds the window full
  // (and leaves it unchanged), so the structure stays at size n while it is timed.
  return {
    construct: { className: 'SlidingWindowLimiter', args: [{ limit: n, windowMs: 1_000_000_000 }] },
    setup: [{ method: 'tryAcquire', argsList: Array.from({ length: n }, (_, i) => ['client', i]) }],
    measure: { method: 'tryAcquire', argsList: Array.from({ length: 1000 }, () => ['client', n]) },
  };
}

export default defineSuites({
  correctness: [
    sample('allows up to the limit, then rejects', async (ctx) => {
      const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
      await expectAnswers(l, [
        ['alice', 0, true],
        ['alice', 10, true],
        ['alice', 20, true],
        ['alice', 30, false],
      ]);
      expect(await l.call('remaining', 'alice', 30), 'remaining("alice", 30)').toBe(0);
    }),
    sample('the window slides: a request stops counting windowMs after it was made', async (ctx) => {
      const l = await limiter(ctx, { limit: 2, windowMs: 1000 });
      await expectAnswers(l, [
        ['bob', 0, true],
        ['bob', 500, true],
        ['bob', 999, false], // 0 and 500 are both within (-1, 999]
        ['bob', 1000, true], // the request at 0 no longer counts
        ['bob', 1001, false],
        ['bob', 1500, true], // the request at 500 no longer counts
      ]);
    }),
    sample('each key has its own window', async (ctx) => {
      const l = await limiter(ctx, { limit: 1, windowMs: 60_000 });
      await expectAnswers(l, [
        ['alice', 5, true],
        ['bob', 6, true],
        ['alice', 7, false],
        ['carol', 8, true],
      ]);
      expect(await l.call('remaining', 'dave', 9), 'remaining("dave", 9)').toBe(1);
    }),
    sample('remaining() reports without recording', async (ctx) => {
      const l = await limiter(ctx, { limit: 3, windowMs: 100 });
      expect(await l.call('remaining', 'k', 0), 'remaining("k", 0)').toBe(3);
      expect(await l.call('remaining', 'k', 0), 'remaining("k", 0) again').toBe(3);
      await expectAnswers(l, [
        ['k', 0, true],
        ['k', 50, true],
      ]);
      expect(await l.call('remaining', 'k', 60), 'remaining("k", 60)').toBe(1);
      expect(await l.call('remaining', 'k', 100), 'remaining("k", 100)').toBe(2);
      expect(await l.call('remaining', 'k', 150), 'remaining("k", 150)').toBe(3);
    }),

    test('a request exactly windowMs later no longer counts, one ms earlier it does', async (ctx) => {
      const l = await limiter(ctx, { limit: 1, windowMs: 1000 });
      await expectAnswers(l, [
        ['k', 0, true],
        ['k', 999, false],
        ['k', 1000, true],
        ['k', 1999, false],
        ['k', 2000, true],
      ]);
      const m = await limiter(ctx, { limit: 2, windowMs: 1 });
      await expectAnswers(m, [
        ['k', 7, true],
        ['k', 7, true],
        ['k', 7, false],
        ['k', 8, true],
        ['k', 8, true],
        ['k', 8, false],
      ]);
    }),
    test('rejected requests do not use up the limit', async (ctx) => {
      const l = await limiter(ctx, { limit: 2, windowMs: 100 });
      const steps: Array<[string, number, boolean]> = [
        ['k', 0, true],
        ['k', 1, true],
      ];
      for (let t = 2; t < 100; t += 3) steps.push(['k', t, false]);
      steps.push(['k', 100, true], ['k', 101, true], ['k', 102, false], ['k', 200, true]);
      await expectAnswers(l, steps);
    }),
    test('not a fixed window: crossing a multiple of windowMs frees nothing by itself', async (ctx) => {
      const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
      await expectAnswers(l, [
        ['k', 900, true],
        ['k', 950, true],
        ['k', 990, true],
        ['k', 1000, false],
        ['k', 1500, false],
        ['k', 1899, false],
        ['k', 1900, true],
        ['k', 1949, false],
        ['k', 1950, true],
        ['k', 1990, true],
        ['k', 2000, false],
      ]);
    }),
    test('a burst at one instant expires all at once', async (ctx) => {
      const l = await limiter(ctx, { limit: 5, windowMs: 250 });
      const steps: Array<[string, number, boolean]> = [];
      for (let i = 0; i < 8; i++) steps.push(['k', 1000, i < 5]);
      steps.push(['k', 1249, false]);
      for (let i = 0; i < 7; i++) steps.push(['k', 1250, i < 5]);
      await expectAnswers(l, steps);
      expect(await l.call('remaining', 'k', 1499), 'remaining("k", 1499)').toBe(0);
      expect(await l.call('remaining', 'k', 1500), 'remaining("k", 1500)').toBe(5);
    }),
    test('remaining() never records a request', async (ctx) => {
      const l = await limiter(ctx, { limit: 2, windowMs: 1000 });
      for (let i = 0; i < 20; i++) expect(await l.call('remaining', 'k', i), `remaining("k", ${i})`).toBe(2);
      await expectAnswers(l, [
        ['k', 20, true],
        ['k', 21, true],
        ['k', 22, false],
      ]);
    }),
    test('one busy key does not affect the others', async (ctx) => {
      const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
      const steps: Array<[string, number, boolean]> = [];
      for (let i = 0; i < 10; i++) steps.push(['hot', i, i < 3]);
      for (let i = 0; i < 20; i++) steps.push([`cold-${i}`, 10 + i, true]);
      steps.push(['hot', 40, false], ['cold-0', 41, true], ['cold-0', 42, true], ['cold-0', 43, false]);
      await expectAnswers(l, steps);
    }),
    test('invalid options throw a RangeError', async (ctx) => {
      for (const opts of [
        { limit: 0, windowMs: 1000 },
        { limit: -3, windowMs: 1000 },
        { limit: 1.5, windowMs: 1000 },
        { limit: 5, windowMs: 0 },
        { limit: 5, windowMs: -1 },
        { limit: 5, windowMs: 2.5 },
      ]) {
        await expectRejects(
          ctx.subject.construct('SlidingWindowLimiter', opts),
          'RangeError',
          `new SlidingWindowLimiter(${JSON.stringify(opts)})`,
        );
      }
      await limiter(ctx, { limit: 1, windowMs: 1 });
    }),
    test('random traffic on a few keys matches the exact sliding window (limit 1)', async (ctx) => {
      await modelCheck(ctx, { limit: 1, windowMs: 50 }, 400, ['a', 'b'], 40);
    }),
    test(
      'random traffic on a few keys matches the exact sliding window (limit 10)',
      async (ctx) => {
        await modelCheck(ctx, { limit: 10, windowMs: 1000 }, 1500, ['a', 'b', 'c'], 60);
      },
      { timeoutMs: 8000 },
    ),
    test(
      'random traffic on one key matches the exact sliding window (limit 100)',
      async (ctx) => {
        await modelCheck(ctx, { limit: 100, windowMs: 5000 }, 1500, ['only'], 40);
      },
      { timeoutMs: 8000 },
    ),
    test(
      'a long quiet period frees the whole window',
      async (ctx) => {
        const l = await limiter(ctx, { limit: 50, windowMs: 10_000 });
        const steps: Array<[string, number, boolean]> = [];
        for (let i = 0; i < 60; i++) steps.push(['k', i * 10, i < 50]);
        for (let i = 0; i < 60; i++) steps.push(['k', 1_000_000 + i, i < 50]);
        await expectAnswers(l, steps);
      },
      { timeoutMs: 5000 },
    ),
  ],
  complexity: [{ operation: 'tryAcquire', workload: probeWorkload }],
});
