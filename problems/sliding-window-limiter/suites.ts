import {
  defineSuites,
  expect,
  expectRejects,
  runModel,
  sample,
  test,
  type ProbeDef,
  type Remote,
  type Rng,
  type TestContext,
} from '@assay/sdk';

interface Options {
  limit: number;
  windowMs: number;
}
interface SlidingWindowLimiter {
  tryAcquire(key: string, nowMs: number): boolean;
  remaining(key: string, nowMs: number): number;
}
type Limiter = Remote<SlidingWindowLimiter>;

/** The exact sliding-window log: what every answer must match. */
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

const limiter = (ctx: TestContext, opts: Options) => ctx.construct<SlidingWindowLimiter>('SlidingWindowLimiter', opts);

type Step = readonly [nowMs: number, allowed: boolean];
const allow = (nowMs: number): Step => [nowMs, true];
const refuse = (nowMs: number): Step => [nowMs, false];
const call = (method: string, key: string, nowMs: number) => `${method}(${JSON.stringify(key)}, ${nowMs})`;

/** `key`'s requests, one after the other, each answer checked. */
async function requests(l: Limiter, key: string, ...steps: Step[]): Promise<void> {
  for (const [now, allowed] of steps) expect(await l.tryAcquire(key, now), call('tryAcquire', key, now)).toBe(allowed);
}
async function remaining(l: Limiter, key: string, now: number, n: number, what = call('remaining', key, now)): Promise<void> {
  expect(await l.remaining(key, now), what).toBe(n);
}

/**
 * Random requests (time never goes back) compared call by call with the model; every
 * `remainingEvery`-th call is a remaining().
 */
function randomTraffic(opts: Options, steps: number, keys: string[], maxGap: number, remainingEvery = 7) {
  return async (ctx: TestContext) => {
    const subject = await limiter(ctx, opts);
    let now = ctx.rng.int(0, 1_000_000);
    const next = (rng: Rng) => {
      // Mostly small steps, sometimes a burst at the same instant, sometimes a long pause.
      const r = rng.next();
      now += r < 0.25 ? 0 : r < 0.95 ? rng.int(1, maxGap) : rng.int(opts.windowMs, opts.windowMs * 2);
      return [rng.pick(keys), now];
    };
    await runModel({
      model: new Model(opts),
      subject,
      rng: ctx.rng,
      steps,
      choose: (_rng, i) => (i % remainingEvery === remainingEvery - 1 ? 'remaining' : 'tryAcquire'),
      ops: { tryAcquire: { args: next }, remaining: { args: next } },
      label: `limit ${opts.limit}, windowMs ${opts.windowMs}`,
    });
  };
}

const correctness = [
  sample('allows up to the limit, then rejects', async (ctx) => {
    const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
    await requests(l, 'alice', allow(0), allow(10), allow(20), refuse(30));
    await remaining(l, 'alice', 30, 0);
  }),
  sample('the window slides: a request stops counting windowMs after it was made', async (ctx) => {
    const l = await limiter(ctx, { limit: 2, windowMs: 1000 });
    await requests(l, 'bob', allow(0), allow(500));
    await requests(l, 'bob', refuse(999)); // 0 and 500 are both within (-1, 999]
    await requests(l, 'bob', allow(1000), refuse(1001)); // the request at 0 no longer counts
    await requests(l, 'bob', allow(1500)); // the request at 500 no longer counts
  }),
  sample('each key has its own window', async (ctx) => {
    const l = await limiter(ctx, { limit: 1, windowMs: 60_000 });
    await requests(l, 'alice', allow(5));
    await requests(l, 'bob', allow(6));
    await requests(l, 'alice', refuse(7));
    await requests(l, 'carol', allow(8));
    await remaining(l, 'dave', 9, 1);
  }),
  sample('remaining() reports without recording', async (ctx) => {
    const l = await limiter(ctx, { limit: 3, windowMs: 100 });
    await remaining(l, 'k', 0, 3);
    await remaining(l, 'k', 0, 3, 'remaining("k", 0) again');
    await requests(l, 'k', allow(0), allow(50));
    await remaining(l, 'k', 60, 1);
    await remaining(l, 'k', 100, 2);
    await remaining(l, 'k', 150, 3);
  }),

  test('a request exactly windowMs later no longer counts, one ms earlier it does', async (ctx) => {
    await requests(await limiter(ctx, { limit: 1, windowMs: 1000 }), 'k', allow(0), refuse(999), allow(1000), refuse(1999), allow(2000));
    await requests(await limiter(ctx, { limit: 2, windowMs: 1 }), 'k', allow(7), allow(7), refuse(7), allow(8), allow(8), refuse(8));
  }),
  test('rejected requests do not use up the limit', async (ctx) => {
    const retries = Array.from({ length: 33 }, (_, i) => refuse(2 + 3 * i)); // every 3 ms from 2 to 98
    const l = await limiter(ctx, { limit: 2, windowMs: 100 });
    await requests(l, 'k', allow(0), allow(1), ...retries, allow(100), allow(101), refuse(102), allow(200));
  }),
  test('not a fixed window: crossing a multiple of windowMs frees nothing by itself', async (ctx) => {
    const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
    await requests(l, 'k', allow(900), allow(950), allow(990), refuse(1000), refuse(1500), refuse(1899));
    await requests(l, 'k', allow(1900), refuse(1949), allow(1950), allow(1990), refuse(2000));
  }),
  test('a burst at one instant expires all at once', async (ctx) => {
    const burst = (now: number, n: number) => Array.from({ length: n }, (_, i) => (i < 5 ? allow(now) : refuse(now)));
    const l = await limiter(ctx, { limit: 5, windowMs: 250 });
    await requests(l, 'k', ...burst(1000, 8), refuse(1249), ...burst(1250, 7));
    await remaining(l, 'k', 1499, 0);
    await remaining(l, 'k', 1500, 5);
  }),
  test('remaining() never records a request', async (ctx) => {
    const l = await limiter(ctx, { limit: 2, windowMs: 1000 });
    for (let i = 0; i < 20; i++) await remaining(l, 'k', i, 2);
    await requests(l, 'k', allow(20), allow(21), refuse(22));
  }),
  test('one busy key does not affect the others', async (ctx) => {
    const l = await limiter(ctx, { limit: 3, windowMs: 1000 });
    await requests(l, 'hot', ...Array.from({ length: 10 }, (_, i): Step => [i, i < 3]));
    for (let i = 0; i < 20; i++) await requests(l, `cold-${i}`, allow(10 + i));
    await requests(l, 'hot', refuse(40));
    await requests(l, 'cold-0', allow(41), allow(42), refuse(43));
  }),
  test('invalid options throw a RangeError', async (ctx) => {
    for (const [limit, windowMs] of [
      [0, 1000],
      [-3, 1000],
      [1.5, 1000],
      [5, 0],
      [5, -1],
      [5, 2.5],
    ] as const)
      await expectRejects(
        limiter(ctx, { limit, windowMs }),
        'RangeError',
        `new SlidingWindowLimiter(${JSON.stringify({ limit, windowMs })})`,
      );
    await limiter(ctx, { limit: 1, windowMs: 1 });
  }),
  test(
    'random traffic on a few keys matches the exact sliding window (limit 1)',
    randomTraffic({ limit: 1, windowMs: 50 }, 400, ['a', 'b'], 40),
  ),
  test(
    'random traffic on a few keys matches the exact sliding window (limit 10)',
    randomTraffic({ limit: 10, windowMs: 1000 }, 1500, ['a', 'b', 'c'], 60),
    { timeoutMs: 8000 },
  ),
  test(
    'random traffic on one key matches the exact sliding window (limit 100)',
    randomTraffic({ limit: 100, windowMs: 5000 }, 1500, ['only'], 40),
    { timeoutMs: 8000 },
  ),
  test(
    'a long quiet period frees the whole window',
    async (ctx) => {
      // 60 requests `step` ms apart: the first 50 fill the window
      const sixty = (from: number, step: number) => Array.from({ length: 60 }, (_, i): Step => [from + i * step, i < 50]);
      await requests(await limiter(ctx, { limit: 50, windowMs: 10_000 }), 'k', ...sixty(0, 10), ...sixty(1_000_000, 1));
    },
    { timeoutMs: 5000 },
  ),
];

/**
 * n allowed requests fill a window of limit n; every measured call then finds the window full
 * (and leaves it unchanged), so the structure stays at size n while it is timed.
 */
const complexity: ProbeDef[] = [
  {
    operation: 'tryAcquire',
    // A full window that slides, one request per millisecond: each millisecond the oldest request
    // leaves it, one call is allowed in its place and a second, at the same instant, finds it full.
    workload: (n) => ({
      construct: { className: 'SlidingWindowLimiter', args: [{ limit: n, windowMs: n }] },
      setup: [{ method: 'tryAcquire', argsList: [['client', 0]], advance: { args: [1], by: 1 }, calls: n }],
      measure: {
        method: 'tryAcquire',
        argsList: Array.from({ length: 1000 }, (_, i) => ['client', n + Math.floor(i / 2)]),
        advance: { args: [1], by: 500 },
      },
      verify: [{ method: 'remaining', argsList: [], echo: { args: [0, 1], back: [1] }, calls: 1 }],
    }),
  },
];

export default defineSuites({ correctness, complexity });
