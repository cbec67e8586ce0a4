import {
  defineSuites,
  expect,
  expectRejects,
  fail,
  isRemoteError,
  jitter,
  latch,
  ManualClock,
  namedError,
  only,
  outcome,
  sample,
  test,
  until,
  within,
  type Latch,
  type TestContext,
  type TestDef,
} from '@assay/sdk';

type Conn = { id: string };
type PoolOptions = { max: number; acquireTimeoutMs: number };
type ConnectionPool = {
  acquire(): Conn;
  release(connection: Conn, options?: { broken?: boolean }): void;
  readonly size: number;
  readonly idle: number;
  readonly pending: number;
};
type Stats = { size: number; idle: number; pending: number };

/**
 * The database driver, owned by the test: counts connections alive (from the moment create() is
 * called until destroy() has finished), answers after a seeded delay, and can refuse or hold creates.
 */
function factory(ctx: TestContext, latencyMs: number) {
  let seq = 0;
  const f = {
    live: new Set<string>(),
    destroyed: new Set<string>(),
    creating: 0,
    maxAlive: 0,
    createCalls: 0,
    failNext: 0,
    failRate: 0,
    gate: undefined as Latch | undefined,
    problems: [] as string[],
    get alive(): number {
      return f.live.size + f.creating;
    },
    async create(): Promise<Conn> {
      f.createCalls++;
      f.creating++;
      f.maxAlive = Math.max(f.maxAlive, f.alive);
      try {
        await f.gate?.promise;
        await jitter(ctx, latencyMs);
        const refuse = f.failNext > 0 ? f.failNext-- > 0 : f.failRate > 0 && ctx.rng.next() < f.failRate;
        if (refuse) throw namedError('ConnectError', 'could not connect to the database');
        const id = `conn-${++seq}`;
        f.live.add(id);
        return { id };
      } finally {
        f.creating--;
      }
    },
    async destroy(conn: Conn): Promise<void> {
      const id = conn?.id;
      if (!f.live.has(id)) f.problems.push(`destroy() was called for ${String(id)}, which is not alive`);
      await jitter(ctx, latencyMs);
      f.live.delete(id);
      f.destroyed.add(id);
    },
  };
  return f;
}
type Factory = ReturnType<typeof factory>;

const newPool = (ctx: TestContext, f: Factory, clock: ManualClock, options: unknown) =>
  ctx.construct<ConnectionPool>('ConnectionPool', ctx.expose(only(f, ['create', 'destroy'])), ctx.expose(only(clock, ['sleep'])), options);

/** What to do when a test ends, whatever its outcome (see `tidy`). */
const cleanups = new WeakMap<TestContext, () => void>();

/** A pool on a fresh factory and clock, and what the tests do with it. */
async function pool(ctx: TestContext, options: PoolOptions, latencyMs = 1) {
  const [f, clock] = [factory(ctx, latencyMs), new ManualClock()];
  cleanups.set(ctx, () => {
    clock.flush();
    f.gate?.open();
  });
  const pool = await newPool(ctx, f, clock, options);
  /** Ids lent out, as the test sees them. */
  const out = new Set<string>();
  const h = {
    ctx,
    pool,
    factory: f,
    clock,
    /** acquire(), checking what it resolves with: a live connection nobody else holds. */
    acquire(what = 'acquire()'): Promise<Conn> {
      const p = pool.acquire().then((c) => {
        const id = (c as Conn | null)?.id;
        if (typeof id !== 'string') fail(`${what} resolved with ${JSON.stringify(c)}, not a connection from the factory`);
        if (f.destroyed.has(id)) fail(`${what} handed out ${id}, which was destroyed`);
        if (!f.live.has(id)) fail(`${what} handed out ${id}, which the factory never created`);
        if (out.has(id)) fail(`${what} handed out ${id}, which is already lent to someone else`);
        out.add(id);
        return { id };
      });
      p.catch(() => undefined); // observed later (or on purpose never)
      return p;
    },
    /** acquire(), once the pool has started a timer for it (in an array: awaiting the call itself would wait for it). */
    async acquireWaiting(what: string): Promise<[Promise<Conn>]> {
      const timers = clock.sleeps;
      const p = h.acquire(what);
      await until(ctx, () => clock.sleeps > timers, `a timer for ${what} with clock.sleep()`);
      return [p];
    },
    async release(conn: Conn, broken = false): Promise<void> {
      out.delete(conn.id);
      await pool.release({ id: conn.id }, broken ? { broken: true } : undefined);
    },
    stats: async () => ({ size: await pool.size, idle: await pool.idle, pending: await pool.pending }),
    expectStats: async (want: Stats, what: string) => expect(await h.stats(), `${what}: { size, idle, pending }`).toEqual(want),
    untilPending: (n: number) => until(ctx, async () => (await pool.pending) === n, `pending to reach ${n}`),
    /** Moves the injected clock, then gives the pool's answers time to arrive. */
    async advance(ms: number): Promise<void> {
      clock.advance(ms);
      await ctx.sleep(25);
    },
    /** Every caller is done: nothing waits, every connection is back, and the factory agrees. */
    async expectNoLeak(what: string): Promise<void> {
      const s = await h.stats();
      expect(s.pending, `${what}: pending`).toBe(0);
      expect(s.idle, `${what}: idle (every connection is back)`).toBe(s.size);
      expect(s.size, `${what}: size compared with connections alive at the factory`).toBe(f.alive);
      expect(f.problems, `${what}: misuse of the factory`).toEqual([]);
    },
  };
  return h;
}
type Harness = Awaited<ReturnType<typeof pool>>;

/** Once a test ends every timer fires and held creates go on: nothing is left waiting on the driver. */
const tidy = (t: TestDef): TestDef => ({
  ...t,
  run: async (ctx) => {
    try {
      await t.run(ctx);
    } finally {
      cleanups.get(ctx)?.();
    }
  },
});

async function expectPending(h: Harness, p: Promise<unknown>, what: string): Promise<void> {
  const settled = p.then(
    () => 'resolved',
    () => 'rejected',
  );
  expect(await Promise.race([settled, h.ctx.sleep(20).then(() => 'pending')]), what).toBe('pending');
}

/**
 * Borrowers that each hold their connection a moment, then give it back (as broken with
 * probability `breakRate`); each resolves 'served', or 'refused' when acquire() rejected with `tolerated`.
 */
const borrowers = (h: Harness, n: number, breakRate = 0, tolerated?: string) =>
  Array.from({ length: n }, (_, i) =>
    h.acquire(`borrower ${i}`).then(
      async (c) => {
        await h.ctx.sleep(h.ctx.rng.int(0, 3));
        await h.release(c, breakRate > 0 && h.ctx.rng.next() < breakRate);
        return 'served';
      },
      (e: unknown) => {
        if (isRemoteError(e) && e.remoteName === tolerated) return 'refused';
        throw e;
      },
    ),
  );

const correctness = [
  sample('creates connections on demand and reuses released ones', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'a new pool');
    const a = await h.acquire('first acquire()');
    expect(h.factory.createCalls, 'factory.create() calls').toBe(1);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'one connection lent');
    await h.release(a);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after release');
    const b = await h.acquire('second acquire()');
    expect(b.id, 'the second acquire() reuses the idle connection').toBe(a.id);
    expect(h.factory.createCalls, 'factory.create() calls').toBe(1);
  }),
  sample('when every connection is lent, callers wait and are served first come, first served', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire('acquire() #1');
    const second = h.acquire('acquire() #2');
    await h.untilPending(1);
    const third = h.acquire('acquire() #3');
    await h.untilPending(2);
    await h.release(a);
    const b = await within(second, 1000, 'acquire() #2 after a release');
    expect(b.id, 'acquire() #2 gets the released connection').toBe(a.id);
    await expectPending(h, third, 'acquire() #3 while #2 holds the connection');
    await h.release(b);
    expect((await within(third, 1000, 'acquire() #3 after the second release')).id, 'acquire() #3 gets it next').toBe(a.id);
    expect(h.factory.createCalls, 'factory.create() calls (max is 1)').toBe(1);
  }),
  sample('a waiting acquire() rejects with PoolTimeoutError after acquireTimeoutMs on the injected clock', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    const [waiting] = await h.acquireWaiting('the waiting acquire()');
    await h.advance(999);
    await expectPending(h, waiting, 'the waiting acquire() at 999 ms');
    await h.advance(1);
    const what = 'the waiting acquire() at 1000 ms';
    await expectRejects(within(waiting, 1000, what), 'PoolTimeoutError', what);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'after the timeout');
    await h.release(a);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after releasing the connection');
  }),
  sample('a connection released as broken is destroyed, and the next caller gets a new one', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    await h.release(a, true);
    expect(h.factory.destroyed.has(a.id), `factory.destroy() was called for ${a.id}`).toBe(true);
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'after releasing a broken connection');
    const b = await h.acquire('acquire() after the broken release');
    expect(b.id === a.id, 'the broken connection is handed out again').toBe(false);
  }),

  test('never creates more than max connections', async (ctx) => {
    const h = await pool(ctx, { max: 3, acquireTimeoutMs: 1000 });
    const held = [await h.acquire('acquire() #1'), await h.acquire('acquire() #2'), await h.acquire('acquire() #3')];
    const fourth = h.acquire('acquire() #4');
    await h.untilPending(1);
    expect(h.factory.createCalls, 'factory.create() calls with max 3').toBe(3);
    await h.expectStats({ size: 3, idle: 0, pending: 1 }, 'three lent, one waiting');
    await h.release(held[1]!);
    expect((await within(fourth, 1000, 'acquire() #4')).id, 'acquire() #4 gets the released connection').toBe(held[1]!.id);
    expect(h.factory.maxAlive, 'connections alive at once').toBe(3);
  }),
  test('idle connections are reused before new ones are created', async (ctx) => {
    const h = await pool(ctx, { max: 5, acquireTimeoutMs: 1000 });
    const first = [await h.acquire(), await h.acquire(), await h.acquire()];
    for (const c of first) await h.release(c);
    const again = [await h.acquire(), await h.acquire(), await h.acquire()];
    expect(h.factory.createCalls, 'factory.create() calls').toBe(3);
    const ids = (cs: Conn[]) => cs.map((c) => c.id).sort();
    expect(ids(again), 'connections handed out again').toEqual(ids(first));
    await h.expectStats({ size: 3, idle: 0, pending: 0 }, 'all three lent again');
  }),
  test('ten waiters are served in the order they called acquire()', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    let current = [await h.acquire(), await h.acquire()];
    const order: number[] = [];
    const waiters: Array<Promise<Conn>> = [];
    for (let i = 0; i < 10; i++) {
      waiters.push(h.acquire(`waiter ${i}`).then((c) => (order.push(i), c)));
      waiters[i]!.catch(() => undefined);
      await h.untilPending(i + 1);
    }
    for (let round = 0; round < 5; round++) {
      for (const c of current) await h.release(c);
      current = [];
      for (const i of [2 * round, 2 * round + 1]) current.push(await within(waiters[i]!, 1000, `waiter ${i}`));
    }
    expect(order, 'order in which waiters got a connection').toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }),
  test('a timed-out caller leaves the queue and never takes a connection', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 500 });
    const a = await h.acquire();
    const [early] = await h.acquireWaiting('the first waiter');
    await h.advance(300);
    const [late] = await h.acquireWaiting('the second waiter');
    await h.advance(200);
    await expectRejects(within(early, 1000, 'the first waiter'), 'PoolTimeoutError', 'the first waiter at 500 ms');
    await h.expectStats({ size: 1, idle: 0, pending: 1 }, 'one waiter timed out, one still waiting');
    await h.release(a);
    const got = await within(late, 1000, 'the second waiter after the release');
    expect(got.id, 'the second waiter gets the connection').toBe(a.id);
    await h.release(got);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'everything returned');
    await h.advance(1000);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after the second waiter’s timer fires (it was served)');
  }),
  test('the timeout also covers a connection that takes too long to create; it is kept when it arrives', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 300 });
    const [f, gate] = [h.factory, latch()];
    f.gate = gate;
    const slow = h.acquire('acquire() with a slow create()');
    await until(h.ctx, () => f.createCalls === 1 && h.clock.sleeps >= 1, 'create() to be called and a timer started');
    await h.advance(300);
    await expectRejects(within(slow, 1000, 'the slow acquire()'), 'PoolTimeoutError', 'acquire() while create() is still running');
    f.gate = undefined;
    gate.open();
    await until(h.ctx, () => f.creating === 0, 'create() to finish');
    await until(h.ctx, async () => (await h.pool.idle) === 1, 'the late connection to become idle');
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after the late connection arrived');
    const c = await h.acquire('the next acquire()');
    const reused = f.live.has(c.id) && f.createCalls === 1;
    expect(reused, 'the next acquire() gets the late connection without creating another').toBe(true);
  }),
  test('a failed create() rejects that acquire() and frees its place', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    h.factory.failNext = 3;
    for (let i = 1; i <= 3; i++) {
      const what = `acquire() #${i} while the database refuses connections`;
      await expectRejects(within(h.acquire(), 1000, `acquire() #${i}`), 'ConnectError', what);
      await h.expectStats({ size: 0, idle: 0, pending: 0 }, `after failed create() #${i}`);
    }
    const c = await within(h.acquire('acquire() once the database is back'), 1000, 'acquire() once the database is back');
    expect(h.factory.live.has(c.id), 'a live connection').toBe(true);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'one connection lent');
  }),
  test('a broken connection is replaced for the next waiter, after it has been destroyed', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    const waiter = h.acquire('the waiter');
    await h.untilPending(1);
    await h.release(a, true);
    const b = await within(waiter, 1000, 'the waiter after a broken release');
    expect(b.id === a.id, 'the waiter was given the broken connection').toBe(false);
    const what = 'connections alive at once (the new one may only be created once the old one is destroyed)';
    expect(h.factory.maxAlive, what).toBe(1);
    await h.release(b);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'everything returned');
  }),
  test('if the replacement for a waiter cannot be created, that waiter gets the error and the next one a connection', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    const w1 = h.acquire('waiter 1');
    await h.untilPending(1);
    const w2 = h.acquire('waiter 2');
    await h.untilPending(2);
    h.factory.failNext = 1;
    await h.release(a, true);
    await expectRejects(within(w1, 1000, 'waiter 1'), 'ConnectError', 'waiter 1 (its create() failed)');
    const c = await within(w2, 1000, 'waiter 2');
    expect(h.factory.live.has(c.id), 'waiter 2 gets a live connection').toBe(true);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'waiter 2 holds the only connection');
  }),
  test('releasing a connection twice is refused and never lends it twice', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    await h.release(a);
    await expectRejects(h.pool.release({ id: a.id }), undefined, `release(${a.id}) a second time`);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after the refused second release');
    const [b, c] = [await h.acquire('acquire() #2'), await h.acquire('acquire() #3')];
    expect(b.id === c.id, 'two callers got the same connection').toBe(false);
  }),
  test('releasing a connection the pool never lent is refused', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    await expectRejects(h.pool.release({ id: 'conn-999' }), undefined, 'release({ id: "conn-999" })');
    const a = await h.acquire();
    await expectRejects(h.pool.release({ id: `${a.id}-other` }), undefined, 'release of an unknown id');
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'after the refused releases');
  }),
  test('a connection may be released as a copy: it is identified by its id', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    await h.pool.release(JSON.parse(JSON.stringify(a)) as Conn, { broken: false });
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after releasing a copy');
  }),
  test('invalid options throw a RangeError', async (ctx) => {
    const [f, clock] = [factory(ctx, 0), new ManualClock()];
    for (const options of [
      { max: 0, acquireTimeoutMs: 100 },
      { max: 2.5, acquireTimeoutMs: 100 },
      { max: 3, acquireTimeoutMs: 0 },
      { max: 3, acquireTimeoutMs: -5 },
      { acquireTimeoutMs: 100 },
    ])
      await expectRejects(newPool(ctx, f, clock, options), 'RangeError', `new ConnectionPool(factory, clock, ${JSON.stringify(options)})`);
  }),
];

const endless = 1_000_000;
const stress = [
  test(
    '300 concurrent borrowers never push the pool past max (10)',
    async (ctx) => {
      const h = await pool(ctx, { max: 10, acquireTimeoutMs: endless }, 3);
      // Hold every create() until all 300 calls are in (each waiting or having started a create),
      // so no connection comes back before the pool has decided about every caller.
      const gate = latch();
      h.factory.gate = gate;
      const all = Promise.all(borrowers(h, 300));
      all.catch(() => undefined); // awaited below
      const registered = async () => h.factory.creating > 10 || (await h.pool.pending) === 300;
      await until(h.ctx, registered, 'all 300 acquire() calls to be registered');
      expect(h.factory.creating <= 10, `connections being created at once (${h.factory.creating})`).toBe(true);
      h.factory.gate = undefined;
      gate.open();
      const served = (await within(all, 8000, 'the 300 borrowers')).filter((r) => r === 'served').length;
      expect(served, 'borrowers served').toBe(300);
      expect(h.factory.maxAlive <= 10, `most connections alive at once (${h.factory.maxAlive}, max 10)`).toBe(true);
      await h.expectNoLeak('after every borrower is done');
    },
    { timeoutMs: 15_000 },
  ),
  test(
    'borrowers that break connections under load: destroyed ones are replaced, never lent again',
    async (ctx) => {
      const h = await pool(ctx, { max: 5, acquireTimeoutMs: endless }, 3);
      await within(Promise.all(borrowers(h, 200, 0.3)), 8000, 'the 200 borrowers');
      expect(h.factory.maxAlive <= 5, `most connections alive at once (${h.factory.maxAlive}, max 5)`).toBe(true);
      expect(h.factory.destroyed.size > 20, 'connections destroyed').toBe(true);
      await h.expectNoLeak('after every borrower is done');
    },
    { timeoutMs: 15_000 },
  ),
  test('fifty callers time out together, and nothing leaks', async (ctx) => {
    const h = await pool(ctx, { max: 3, acquireTimeoutMs: 250 }, 3);
    const held = [await h.acquire(), await h.acquire(), await h.acquire()];
    const timers = h.clock.sleeps;
    const waiters = Array.from({ length: 50 }, (_, i) => outcome(h.acquire(`waiter ${i}`)));
    await until(h.ctx, () => h.clock.sleeps >= timers + 50, 'fifty timers');
    await h.advance(249);
    expect(await h.pool.pending, 'pending at 249 ms').toBe(50);
    await h.advance(1);
    const outcomes = await within(Promise.all(waiters), 3000, 'the fifty waiters');
    const timedOut = outcomes.filter((o) => 'error' in o && o.error === 'PoolTimeoutError').length;
    expect(timedOut, 'waiters rejected with PoolTimeoutError').toBe(50);
    for (const c of held) await h.release(c);
    await h.expectNoLeak('after the timeouts and releases');
    const again = await Promise.all([h.acquire(), h.acquire(), h.acquire()]);
    expect(h.factory.createCalls, 'factory.create() calls (the idle connections are reused)').toBe(3);
    for (const c of again) await h.release(c);
  }),
  test(
    'a hundred queued callers are served in the order they called acquire()',
    async (ctx) => {
      const h = await pool(ctx, { max: 2, acquireTimeoutMs: endless }, 3);
      let current = [await h.acquire(), await h.acquire()];
      const order: number[] = [];
      const waiters = Array.from({ length: 100 }, (_, i) => h.acquire(`waiter ${i}`).then((c) => (order.push(i), c)));
      waiters.forEach((w) => w.catch(() => undefined));
      await h.untilPending(100);
      for (let round = 0; round < 50; round++) {
        await Promise.all(current.map((c) => h.release(c)));
        const next = [2 * round, 2 * round + 1];
        current = await Promise.all(next.map((i) => within(waiters[i]!, 1000, `waiter ${i}`)));
      }
      const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
      expect(sorted(order), 'every waiter served').toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (let i = 0; i < 100; i += 2) expect(sorted(order.slice(i, i + 2)), `waiters served in round ${i / 2}`).toEqual([i, i + 1]);
    },
    { timeoutMs: 15_000 },
  ),
  test(
    '400 borrowers with failing connects and broken connections: limits hold, nothing leaks',
    async (ctx) => {
      const h = await pool(ctx, { max: 8, acquireTimeoutMs: endless }, 3);
      h.factory.failRate = 0.1;
      const done = await within(Promise.all(borrowers(h, 400, 0.15, 'ConnectError')), 10_000, 'the 400 borrowers');
      const answered = done.filter((r) => r === 'served' || r === 'refused').length;
      expect(answered, 'borrowers that got a connection or the factory’s error').toBe(400);
      expect(h.factory.maxAlive <= 8, `most connections alive at once (${h.factory.maxAlive}, max 8)`).toBe(true);
      await h.expectNoLeak('after every borrower is done');
    },
    { timeoutMs: 20_000 },
  ),
];

export default defineSuites({ correctness: correctness.map(tidy), stress: stress.map(tidy) });
