import { defineSuites, expect, expectRejects, fail, sample, test, type Exposed, type RemoteObject, type TestContext } from '@assay/sdk';

// ---- the shared counter store ---------------------------------------------------------------

interface CounterStore {
  incr(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<number | null>;
  set(key: string, value: number, ttlMs: number): Promise<void>;
}

/**
 * A Redis-like store the driver owns: each call takes 0…maxLatencyMs on the way in and again on
 * the way out, so concurrent callers interleave. `incr` is atomic (no await between reading and
 * writing). Keys expire on the store's own clock, which the tests move forward in step with the
 * `nowMs` they pass (never backwards), so a ttl only ever garbage-collects windows that are over.
 * Only incr/get/set are exposed to the candidate; the clock stays on the driver side.
 */
function createStore(ctx: TestContext, maxLatencyMs: number) {
  const data = new Map<string, { value: number; expiresAt: number }>();
  let now = 0;
  const jitter = () => ctx.sleep(ctx.rng.int(0, maxLatencyMs));
  const live = (key: string) => {
    const e = data.get(key);
    if (e && now >= e.expiresAt) {
      data.delete(key);
      return undefined;
    }
    return e;
  };
  const checkKey = (key: unknown) => {
    if (typeof key !== 'string') throw new TypeError(`store keys must be strings, got ${typeof key}`);
  };
  const checkTtl = (ttlMs: unknown) => {
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0)
      throw new TypeError(`ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}`);
  };
  const store: CounterStore = {
    async incr(key, ttlMs) {
      checkKey(key);
      checkTtl(ttlMs);
      await jitter();
      const e = live(key);
      let value: number;
      if (e) value = ++e.value;
      else data.set(key, { value: (value = 1), expiresAt: now + ttlMs });
      await jitter();
      return value;
    },
    async get(key) {
      checkKey(key);
      await jitter();
      const value = live(key)?.value ?? null;
      await jitter();
      return value;
    },
    async set(key, value, ttlMs) {
      checkKey(key);
      checkTtl(ttlMs);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`values must be finite numbers, got ${String(value)}`);
      await jitter();
      data.set(key, { value, expiresAt: now + ttlMs });
      await jitter();
    },
  };
  return {
    store,
    advanceTo(t: number) {
      now = Math.max(now, t);
    },
  };
}

type Store = ReturnType<typeof createStore>;

interface Options {
  limit: number;
  windowMs: number;
}

class Limiter {
  private constructor(
    readonly remote: RemoteObject,
    private readonly st: Store,
  ) {}

  static async create(ctx: TestContext, st: Store, exposed: Exposed<CounterStore>, options: Options): Promise<Limiter> {
    return new Limiter(await ctx.subject.construct('RateLimiter', exposed, options), st);
  }

  async acquire(clientId: string, nowMs: number): Promise<boolean> {
    this.st.advanceTo(nowMs);
    const allowed = await this.remote.call('tryAcquire', clientId, nowMs);
    if (typeof allowed !== 'boolean')
      fail(
        `tryAcquire(${JSON.stringify(clientId)}, ${nowMs}) must resolve to a boolean, got ${JSON.stringify(allowed)}`,
        'a boolean',
        allowed,
      );
    return allowed;
  }

  /** Sends requests one after the other and checks each answer. */
  async expectSequence(steps: Array<[clientId: string, nowMs: number, allowed: boolean]>): Promise<void> {
    for (const [clientId, nowMs, allowed] of steps)
      expect(await this.acquire(clientId, nowMs), `tryAcquire(${JSON.stringify(clientId)}, ${nowMs})`).toBe(allowed);
  }
}

/** One limiter on a fresh store. Correctness tests use a fast store; stress tests a slower one. */
async function setup(ctx: TestContext, options: Options, maxLatencyMs = 1) {
  const st = createStore(ctx, maxLatencyMs);
  const exposed = ctx.expose(st.store);
  const limiter = await Limiter.create(ctx, st, exposed, options);
  return { st, exposed, limiter };
}

function repeat<T>(n: number, item: T): T[] {
  return Array.from({ length: n }, () => item);
}

async function expectInvalid(ctx: TestContext, options: Options): Promise<void> {
  const st = createStore(ctx, 0);
  await expectRejects(
    ctx.subject.construct('RateLimiter', ctx.expose(st.store), options),
    'RangeError',
    `new RateLimiter(store, ${JSON.stringify(options)})`,
  );
}

/** Fires every request at once; returns how many each client got allowed. */
async function fireConcurrently(
  limiter: Limiter | ((i: number) => Limiter),
  requests: Array<[string, number]>,
): Promise<Map<string, number>> {
  const pick = typeof limiter === 'function' ? limiter : () => limiter;
  const results = await Promise.all(requests.map(([client, t], i) => pick(i).remote.call('tryAcquire', client, t)));
  const allowed = new Map<string, number>();
  results.forEach((r, i) => {
    if (typeof r !== 'boolean') fail(`tryAcquire must resolve to a boolean, got ${JSON.stringify(r)}`, 'a boolean', r);
    const client = requests[i]![0];
    allowed.set(client, (allowed.get(client) ?? 0) + (r ? 1 : 0));
  });
  return allowed;
}

// ---- correctness ----------------------------------------------------------------------------

const correctness = [
  sample('allows `limit` requests in a window, then refuses', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 3, windowMs: 1000 });
    await limiter.expectSequence([
      ['alice', 0, true],
      ['alice', 100, true],
      ['alice', 200, true],
      ['alice', 300, false],
      ['alice', 999, false],
    ]);
  }),

  sample('each window starts fresh', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 2, windowMs: 1000 });
    await limiter.expectSequence([
      ['alice', 100, true],
      ['alice', 200, true],
      ['alice', 300, false],
      ['alice', 1000, true], // 1000 is the first millisecond of the window [1000, 2000)
      ['alice', 1500, true],
      ['alice', 1999, false],
    ]);
  }),

  sample('clients are limited separately', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 60_000 });
    await limiter.expectSequence([
      ['alice', 5, true],
      ['bob', 5, true],
      ['alice', 6, false],
      ['bob', 6, false],
    ]);
  }),

  sample('a limit below 1 is a RangeError', async (ctx) => {
    await expectInvalid(ctx, { limit: 0, windowMs: 1000 });
  }),

  test('a limit of 1', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 500 });
    await limiter.expectSequence([
      ['c', 10, true],
      ['c', 10, false],
      ['c', 499, false],
      ['c', 500, true],
      ['c', 501, false],
    ]);
  }),

  test('exactly `limit` requests are allowed, and they are the first ones', async (ctx) => {
    for (const limit of [2, 5, 17]) {
      const { limiter } = await setup(ctx, { limit, windowMs: 10_000 });
      const steps = Array.from({ length: limit + 4 }, (_, i): [string, number, boolean] => ['client', 20_000 + i * 10, i < limit]);
      await limiter.expectSequence(steps);
    }
  }),

  test('windows start at multiples of windowMs, not at the first request', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 2, windowMs: 1000 });
    await limiter.expectSequence([
      ['w', 1700, true],
      ['w', 1800, true],
      ['w', 1999, false],
      ['w', 2000, true], // a new window, only 300 ms after the first request
      ['w', 2000, true],
      ['w', 2001, false],
      ['w', 2699, false],
      ['w', 2999, false],
      ['w', 3000, true],
    ]);
  }),

  test('the last millisecond of a window still belongs to it', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1000 });
    await limiter.expectSequence([
      ['edge', 0, true],
      ['edge', 999, false],
      ['edge', 1000, true],
      ['edge', 1999, false],
      ['edge', 2000, true],
    ]);
  }),

  test('small and odd window sizes', async (ctx) => {
    {
      const { limiter } = await setup(ctx, { limit: 2, windowMs: 7 });
      await limiter.expectSequence([
        ['o', 0, true],
        ['o', 6, true],
        ['o', 6, false],
        ['o', 7, true],
        ['o', 13, true],
        ['o', 13, false],
        ['o', 14, true],
      ]);
    }
    {
      const { limiter } = await setup(ctx, { limit: 1, windowMs: 1 });
      await limiter.expectSequence([
        ['one', 0, true],
        ['one', 0, false],
        ['one', 1, true],
        ['one', 2, true],
        ['one', 2, false],
      ]);
    }
  }),

  test('realistic epoch timestamps', async (ctx) => {
    const windowMs = 60_000;
    const boundary = Math.ceil(1_700_000_000_123 / windowMs) * windowMs;
    const { limiter } = await setup(ctx, { limit: 3, windowMs });
    await limiter.expectSequence([
      ['api-key-1', boundary - 30_000, true],
      ['api-key-1', boundary - 20_000, true],
      ['api-key-1', boundary - 10_000, true],
      ['api-key-1', boundary - 1, false],
      ['api-key-1', boundary, true],
      ['api-key-1', boundary + windowMs - 1, true],
      ['api-key-1', boundary + windowMs - 1, true],
      ['api-key-1', boundary + windowMs - 1, false],
    ]);
  }),

  test(
    "one client's traffic does not use another's budget",
    async (ctx) => {
      const { limiter } = await setup(ctx, { limit: 3, windowMs: 1000 });
      const clients = ['u1', 'u2', 'u3', 'u4', 'u5'];
      let t = 4000;
      for (let round = 0; round < 5; round++) for (const c of clients) await limiter.expectSequence([[c, t++, round < 3]]);
    },
    { timeoutMs: 10_000 },
  ),

  test('client ids that look alike are different clients', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1000 });
    const ids = ['x', 'x:0', 'x:1', 'x0', '0', '1:x', ''];
    for (const id of ids) await limiter.expectSequence([[id, 100, true]]);
    for (const id of ids) await limiter.expectSequence([[id, 200, false]]);
  }),

  test('two limiters on one store (two API servers) share the budget', async (ctx) => {
    const st = createStore(ctx, 1);
    const exposed = ctx.expose(st.store);
    const a = await Limiter.create(ctx, st, exposed, { limit: 4, windowMs: 1000 });
    const b = await Limiter.create(ctx, st, exposed, { limit: 4, windowMs: 1000 });
    await a.expectSequence([
      ['shared', 100, true],
      ['shared', 200, true],
    ]);
    await b.expectSequence([
      ['shared', 300, true],
      ['shared', 400, true],
      ['shared', 500, false],
    ]);
    await a.expectSequence([['shared', 600, false]]);
    await b.expectSequence([['shared', 1000, true]]);
    await a.expectSequence([
      ['shared', 1001, true],
      ['shared', 1002, true],
      ['shared', 1003, true],
      ['shared', 1004, false],
    ]);
  }),

  test('limit < 1 or windowMs < 1 is a RangeError', async (ctx) => {
    await expectInvalid(ctx, { limit: -1, windowMs: 1000 });
    await expectInvalid(ctx, { limit: 5, windowMs: 0 });
    await expectInvalid(ctx, { limit: 5, windowMs: -1000 });
    await expectInvalid(ctx, { limit: 0, windowMs: 0 });
    // the smallest valid options work
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1 });
    await limiter.expectSequence([['min', 0, true]]);
  }),

  test(
    'random traffic matches a model',
    async (ctx) => {
      for (const windowMs of [1, 10, 250, 1000]) {
        const limit = ctx.rng.int(1, 4);
        const { limiter } = await setup(ctx, { limit, windowMs });
        const counts = new Map<string, number>();
        let t = ctx.rng.int(0, 5000);
        for (let i = 0; i < 60; i++) {
          t += ctx.rng.int(0, Math.ceil(windowMs / 3));
          const client = ctx.rng.pick(['a', 'b', 'c']);
          const key = `${client}/${Math.floor(t / windowMs)}`;
          const n = (counts.get(key) ?? 0) + 1;
          counts.set(key, n);
          const got = await limiter.acquire(client, t);
          if (got !== n <= limit)
            fail(
              `limit ${limit}, windowMs ${windowMs}: tryAcquire(${JSON.stringify(client)}, ${t}) returned ${got}, but it is request ${n} of that client in the window starting at ${Math.floor(t / windowMs) * windowMs}`,
              n <= limit,
              got,
            );
        }
      }
    },
    { timeoutMs: 15_000 },
  ),
];

// ---- stress: many requests in flight at once -------------------------------------------------

const STRESS_LATENCY_MS = 3;

const stress = [
  test(
    '200 concurrent requests with limit 10: exactly 10 allowed',
    async (ctx) => {
      const { st, limiter } = await setup(ctx, { limit: 10, windowMs: 1000 }, STRESS_LATENCY_MS);
      st.advanceTo(5000);
      const allowed = await fireConcurrently(limiter, repeat(200, ['hot', 5000 + ctx.rng.int(0, 999)] as [string, number]));
      expect(allowed.get('hot') ?? 0, 'requests allowed').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'concurrent clients each get exactly their own limit',
    async (ctx) => {
      const { st, limiter } = await setup(ctx, { limit: 5, windowMs: 1000 }, STRESS_LATENCY_MS);
      const clients = Array.from({ length: 8 }, (_, i) => `client-${i}`);
      const requests = ctx.rng.shuffle(
        clients.flatMap((c) => Array.from({ length: 40 }, (): [string, number] => [c, 3000 + ctx.rng.int(0, 999)])),
      );
      st.advanceTo(3999);
      const allowed = await fireConcurrently(limiter, requests);
      for (const c of clients) expect(allowed.get(c) ?? 0, `requests allowed for ${c}`).toBe(5);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'a flood from one client does not crowd out quiet ones',
    async (ctx) => {
      const { st, limiter } = await setup(ctx, { limit: 3, windowMs: 1000 }, STRESS_LATENCY_MS);
      const quiet = ['q1', 'q2', 'q3', 'q4', 'q5'];
      const requests = ctx.rng.shuffle([
        ...repeat(250, ['flood', 7500] as [string, number]),
        ...quiet.map((q): [string, number] => [q, 7500]),
      ]);
      st.advanceTo(7500);
      const allowed = await fireConcurrently(limiter, requests);
      expect(allowed.get('flood') ?? 0, 'requests allowed for the flooding client').toBe(3);
      for (const q of quiet) expect(allowed.get(q) ?? 0, `requests allowed for ${q}`).toBe(1);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'concurrent requests on both sides of a window boundary',
    async (ctx) => {
      const { st, limiter } = await setup(ctx, { limit: 10, windowMs: 1000 }, STRESS_LATENCY_MS);
      const before = Array.from({ length: 100 }, (): [string, number] => ['edge', 1500 + ctx.rng.int(0, 499)]);
      const after = Array.from({ length: 100 }, (): [string, number] => ['edge', 2000 + ctx.rng.int(0, 499)]);
      const requests = ctx.rng.shuffle([...before, ...after]);
      st.advanceTo(2499);
      const results = await Promise.all(requests.map(([c, t]) => limiter.remote.call('tryAcquire', c, t)));
      let first = 0;
      let second = 0;
      results.forEach((r, i) => {
        if (typeof r !== 'boolean') fail(`tryAcquire must resolve to a boolean, got ${JSON.stringify(r)}`, 'a boolean', r);
        if (!r) return;
        if (requests[i]![1] < 2000) first++;
        else second++;
      });
      expect(first, 'requests allowed in [1000, 2000)').toBe(10);
      expect(second, 'requests allowed in [2000, 3000)').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'two API servers sharing one store, under concurrency',
    async (ctx) => {
      const st = createStore(ctx, STRESS_LATENCY_MS);
      const exposed = ctx.expose(st.store);
      const servers = [
        await Limiter.create(ctx, st, exposed, { limit: 10, windowMs: 1000 }),
        await Limiter.create(ctx, st, exposed, { limit: 10, windowMs: 1000 }),
      ];
      st.advanceTo(9000);
      const allowed = await fireConcurrently((i) => servers[i % 2]!, repeat(200, ['shared', 9000] as [string, number]));
      expect(allowed.get('shared') ?? 0, 'requests allowed across both servers').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),
];

export default defineSuites({ correctness, stress });
