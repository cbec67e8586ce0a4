import { defineSuites, expect, expectRejects, fail, KvStore, repeat, sample, test, type Remote, type TestContext } from '@assay/sdk';

interface RateLimiter {
  tryAcquire(clientId: string, nowMs: number): boolean;
}
interface Options {
  limit: number;
  windowMs: number;
}
type Request = [clientId: string, nowMs: number];

/**
 * The statement's counter store: incr/get/set, numbers only, every write with a positive ttl.
 * Keys expire on the store's clock, which the tests move forward in step with the `nowMs` they
 * pass (never backwards), so a ttl only ever garbage-collects windows that are over. Correctness
 * tests use a fast store (0–1 ms a leg), stress tests a slower one so that calls interleave.
 */
const counterStore = (ctx: TestContext, latencyMs = 1) =>
  new KvStore(ctx, { latencyMs, values: 'number', ttl: 'positive', requireTtl: true });
const STRESS_LATENCY_MS = 3;

const newLimiter = (ctx: TestContext, store: KvStore, options: Options) =>
  ctx.construct<RateLimiter>('RateLimiter', ctx.expose(store.client(['incr', 'get', 'set'])), options);

function asBoolean(allowed: unknown, what: string): boolean {
  if (typeof allowed !== 'boolean') fail(`${what} must resolve to a boolean, got ${JSON.stringify(allowed)}`, 'a boolean', allowed);
  return allowed;
}

/** One API server's limiter; each request first moves the store's clock to its `nowMs`. */
function limiterOn(store: KvStore, remote: Remote<RateLimiter>) {
  const acquire = async (clientId: string, nowMs: number) => {
    store.clock.advanceTo(nowMs);
    return asBoolean(await remote.tryAcquire(clientId, nowMs), `tryAcquire(${JSON.stringify(clientId)}, ${nowMs})`);
  };
  /** Sends requests one after the other and checks each answer. */
  const expectSequence = async (steps: Array<[clientId: string, nowMs: number, allowed: boolean]>) => {
    for (const [c, t, allowed] of steps) expect(await acquire(c, t), `tryAcquire(${JSON.stringify(c)}, ${t})`).toBe(allowed);
  };
  /** One client's requests, in order. */
  const expectFor = (clientId: string, ...steps: Array<readonly [nowMs: number, allowed: boolean]>) =>
    expectSequence(steps.map(([t, allowed]) => [clientId, t, allowed]));
  return { remote, acquire, expectSequence, expectFor };
}
const allow = (nowMs: number) => [nowMs, true] as const;
const refuse = (nowMs: number) => [nowMs, false] as const;
type Limiter = ReturnType<typeof limiterOn>;

/** One limiter on a fresh store. */
async function setup(ctx: TestContext, options: Options, latencyMs = 1) {
  const store = counterStore(ctx, latencyMs);
  return { store, limiter: limiterOn(store, await newLimiter(ctx, store, options)) };
}

async function expectInvalid(ctx: TestContext, options: Options): Promise<void> {
  await expectRejects(newLimiter(ctx, counterStore(ctx, 0), options), 'RangeError', `new RateLimiter(store, ${JSON.stringify(options)})`);
}

/** Fires every request at once (request i through server i % n); resolves with each answer. */
function fire(servers: Limiter[], requests: Request[]): Promise<boolean[]> {
  const answers = requests.map(([c, t], i) => servers[i % servers.length]!.remote.tryAcquire(c, t));
  return Promise.all(answers).then((rs) => rs.map((r) => asBoolean(r, 'tryAcquire')));
}

/** How many requests of each client were allowed. */
function allowedPerClient(requests: Request[], answers: boolean[]): Map<string, number> {
  const allowed = new Map<string, number>();
  answers.forEach((ok, i) => allowed.set(requests[i]![0], (allowed.get(requests[i]![0]) ?? 0) + (ok ? 1 : 0)));
  return allowed;
}

// ---- correctness ----------------------------------------------------------------------------

const correctness = [
  sample('allows `limit` requests in a window, then refuses', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 3, windowMs: 1000 });
    await limiter.expectFor('alice', allow(0), allow(100), allow(200), refuse(300), refuse(999));
  }),

  sample('each window starts fresh', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 2, windowMs: 1000 });
    // 1000 is the first millisecond of the window [1000, 2000)
    await limiter.expectFor('alice', allow(100), allow(200), refuse(300), allow(1000), allow(1500), refuse(1999));
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

  sample('a limit below 1 is a RangeError', (ctx) => expectInvalid(ctx, { limit: 0, windowMs: 1000 })),

  test('a limit of 1', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 500 });
    await limiter.expectFor('c', allow(10), refuse(10), refuse(499), allow(500), refuse(501));
  }),

  test('exactly `limit` requests are allowed, and they are the first ones', async (ctx) => {
    for (const limit of [2, 5, 17]) {
      const { limiter } = await setup(ctx, { limit, windowMs: 10_000 });
      await limiter.expectFor('client', ...Array.from({ length: limit + 4 }, (_, i) => [20_000 + i * 10, i < limit] as const));
    }
  }),

  test('windows start at multiples of windowMs, not at the first request', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 2, windowMs: 1000 });
    // 2000 starts a new window, only 300 ms after the first request
    await limiter.expectFor('w', allow(1700), allow(1800), refuse(1999), allow(2000), allow(2000), refuse(2001));
    await limiter.expectFor('w', refuse(2699), refuse(2999), allow(3000));
  }),

  test('the last millisecond of a window still belongs to it', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1000 });
    await limiter.expectFor('edge', allow(0), refuse(999), allow(1000), refuse(1999), allow(2000));
  }),

  test('small and odd window sizes', async (ctx) => {
    const seven = await setup(ctx, { limit: 2, windowMs: 7 });
    await seven.limiter.expectFor('o', allow(0), allow(6), refuse(6), allow(7), allow(13), refuse(13), allow(14));
    const one = await setup(ctx, { limit: 1, windowMs: 1 });
    await one.limiter.expectFor('one', allow(0), refuse(0), allow(1), allow(2), refuse(2));
  }),

  test('realistic epoch timestamps', async (ctx) => {
    const windowMs = 60_000;
    const b = Math.ceil(1_700_000_000_123 / windowMs) * windowMs;
    const { limiter } = await setup(ctx, { limit: 3, windowMs });
    await limiter.expectFor('api-key-1', allow(b - 30_000), allow(b - 20_000), allow(b - 10_000), refuse(b - 1), allow(b));
    await limiter.expectFor('api-key-1', allow(b + windowMs - 1), allow(b + windowMs - 1), refuse(b + windowMs - 1));
  }),

  test(
    "one client's traffic does not use another's budget",
    async (ctx) => {
      const { limiter } = await setup(ctx, { limit: 3, windowMs: 1000 });
      let t = 4000;
      for (let round = 0; round < 5; round++) for (const c of ['u1', 'u2', 'u3', 'u4', 'u5']) await limiter.expectFor(c, [t++, round < 3]);
    },
    { timeoutMs: 10_000 },
  ),

  test('client ids that look alike are different clients', async (ctx) => {
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1000 });
    const ids = ['x', 'x:0', 'x:1', 'x0', '0', '1:x', ''];
    await limiter.expectSequence(ids.map((id) => [id, 100, true]));
    await limiter.expectSequence(ids.map((id) => [id, 200, false]));
  }),

  test('two limiters on one store (two API servers) share the budget', async (ctx) => {
    const store = counterStore(ctx);
    const a = limiterOn(store, await newLimiter(ctx, store, { limit: 4, windowMs: 1000 }));
    const b = limiterOn(store, await newLimiter(ctx, store, { limit: 4, windowMs: 1000 }));
    await a.expectFor('shared', allow(100), allow(200));
    await b.expectFor('shared', allow(300), allow(400), refuse(500));
    await a.expectFor('shared', refuse(600));
    await b.expectFor('shared', allow(1000));
    await a.expectFor('shared', allow(1001), allow(1002), allow(1003), refuse(1004));
  }),

  test('limit < 1 or windowMs < 1 is a RangeError', async (ctx) => {
    for (const [limit, windowMs] of [
      [-1, 1000],
      [5, 0],
      [5, -1000],
      [0, 0],
    ] as const)
      await expectInvalid(ctx, { limit, windowMs });
    // the smallest valid options work
    const { limiter } = await setup(ctx, { limit: 1, windowMs: 1 });
    await limiter.expectFor('min', allow(0));
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
              `limit ${limit}, windowMs ${windowMs}: tryAcquire(${JSON.stringify(client)}, ${t}) returned ${got}, ` +
                `but it is request ${n} of that client in the window starting at ${Math.floor(t / windowMs) * windowMs}`,
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

const stress = [
  test(
    '200 concurrent requests with limit 10: exactly 10 allowed',
    async (ctx) => {
      const { store, limiter } = await setup(ctx, { limit: 10, windowMs: 1000 }, STRESS_LATENCY_MS);
      store.clock.advanceTo(5000);
      const requests = repeat<Request>(200, ['hot', 5000 + ctx.rng.int(0, 999)]);
      expect(allowedPerClient(requests, await fire([limiter], requests)).get('hot') ?? 0, 'requests allowed').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'concurrent clients each get exactly their own limit',
    async (ctx) => {
      const { store, limiter } = await setup(ctx, { limit: 5, windowMs: 1000 }, STRESS_LATENCY_MS);
      const clients = Array.from({ length: 8 }, (_, i) => `client-${i}`);
      const requests = ctx.rng.shuffle(clients.flatMap((c) => Array.from({ length: 40 }, (): Request => [c, 3000 + ctx.rng.int(0, 999)])));
      store.clock.advanceTo(3999);
      const allowed = allowedPerClient(requests, await fire([limiter], requests));
      for (const c of clients) expect(allowed.get(c) ?? 0, `requests allowed for ${c}`).toBe(5);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'a flood from one client does not crowd out quiet ones',
    async (ctx) => {
      const { store, limiter } = await setup(ctx, { limit: 3, windowMs: 1000 }, STRESS_LATENCY_MS);
      const quiet = ['q1', 'q2', 'q3', 'q4', 'q5'];
      const requests = ctx.rng.shuffle([...repeat<Request>(250, ['flood', 7500]), ...quiet.map((q): Request => [q, 7500])]);
      store.clock.advanceTo(7500);
      const allowed = allowedPerClient(requests, await fire([limiter], requests));
      expect(allowed.get('flood') ?? 0, 'requests allowed for the flooding client').toBe(3);
      for (const q of quiet) expect(allowed.get(q) ?? 0, `requests allowed for ${q}`).toBe(1);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'concurrent requests on both sides of a window boundary',
    async (ctx) => {
      const { store, limiter } = await setup(ctx, { limit: 10, windowMs: 1000 }, STRESS_LATENCY_MS);
      const before = Array.from({ length: 100 }, (): Request => ['edge', 1500 + ctx.rng.int(0, 499)]);
      const after = Array.from({ length: 100 }, (): Request => ['edge', 2000 + ctx.rng.int(0, 499)]);
      const requests = ctx.rng.shuffle([...before, ...after]);
      store.clock.advanceTo(2499);
      const answers = await fire([limiter], requests);
      const allowedIn = (inFirst: boolean) => answers.filter((ok, i) => ok && requests[i]![1] < 2000 === inFirst).length;
      expect(allowedIn(true), 'requests allowed in [1000, 2000)').toBe(10);
      expect(allowedIn(false), 'requests allowed in [2000, 3000)').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),

  test(
    'two API servers sharing one store, under concurrency',
    async (ctx) => {
      const store = counterStore(ctx, STRESS_LATENCY_MS);
      const options = { limit: 10, windowMs: 1000 };
      const servers = [limiterOn(store, await newLimiter(ctx, store, options)), limiterOn(store, await newLimiter(ctx, store, options))];
      store.clock.advanceTo(9000);
      const requests = repeat<Request>(200, ['shared', 9000]);
      expect(allowedPerClient(requests, await fire(servers, requests)).get('shared') ?? 0, 'requests allowed across both servers').toBe(10);
    },
    { timeoutMs: 15_000 },
  ),
];

export default defineSuites({ correctness, stress });
