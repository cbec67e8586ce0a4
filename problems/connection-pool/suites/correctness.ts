import { expect, expectRejects, latch, ManualClock, outcome, sample, test, until, within } from '@assay/sdk';
import { expectPending, expectResolves, factory, heldBrokenRelease, newPool, pool, slowAcquire, type Conn } from './harness';

export const correctness = [
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
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'after the timeout, while the connection is still being created');
    f.gate = undefined;
    gate.open();
    await until(h.ctx, () => f.creating === 0, 'create() to finish');
    await until(h.ctx, async () => (await h.pool.idle) === 1, 'the late connection to become idle');
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after the late connection arrived');
    const c = await h.acquire('the next acquire()');
    const reused = f.live.has(c.id) && f.createCalls === 1;
    expect(reused, 'the next acquire() gets the late connection without creating another').toBe(true);
  }),
  test('a create() that fails after its caller timed out frees its place for the caller waiting next', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 300 });
    const f = h.factory;
    f.failNext = 1; // the first create() will fail
    const slow = await slowAcquire(h, 'the first acquire()');
    await h.advance(300);
    await expectRejects(
      within(slow.p, 1000, 'the first acquire()'),
      'PoolTimeoutError',
      'the first acquire() at 300 ms, create() still running',
    );
    const [next] = await h.acquireWaiting('the second acquire()');
    slow.open();
    const c = await within(next, 1000, 'the second acquire() once the late create() failed');
    expect(f.createCalls, 'factory.create() calls (one failed late, one for the second caller)').toBe(2);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'the second caller holds a new connection');
    await h.release(c);
    await h.expectNoLeak('everything returned');
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
  test('a broken connection whose destroy() rejects is gone all the same: release() resolves, its place is free', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    h.factory.destroyFailNext = 1;
    await expectResolves(h.release(a, true), 'release(connection, { broken: true }) when destroy() rejects');
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'after a broken release whose destroy() rejected');
    const b = await within(h.acquire('acquire() after the failed destroy()'), 1000, 'acquire() after the failed destroy()');
    expect(b.id === a.id, 'the destroyed connection is handed out again').toBe(false);
    expect(h.factory.destroyCalls, 'factory.destroy() calls').toBe(1);
    await h.release(b);
    await h.expectNoLeak('everything returned');
  }),
  test('a failed destroy() still hands its place to the caller waiting next', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    const waiter = h.acquire('the waiter');
    await h.untilPending(1);
    h.factory.destroyFailNext = 1;
    await expectResolves(h.release(a, true), 'release(connection, { broken: true }) when destroy() rejects');
    const b = await within(waiter, 1000, 'the waiter after a broken release whose destroy() rejected');
    expect(b.id === a.id, 'the waiter was given the destroyed connection').toBe(false);
    expect(h.factory.maxAlive, 'connections alive at once').toBe(1);
    await h.release(b);
    await h.expectNoLeak('everything returned');
  }),
  test('a connection being destroyed still counts against max', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const f = h.factory;
    const a = await h.acquire();
    const { released, open } = await heldBrokenRelease(h, a);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'while the broken connection is being destroyed');
    const next = h.acquire('acquire() while the broken connection is being destroyed');
    await expectPending(h, next, 'acquire() while the only connection (max 1) is being destroyed');
    expect(f.createCalls, 'factory.create() calls while the only connection is being destroyed (max 1)').toBe(1);
    await h.expectStats({ size: 1, idle: 0, pending: 1 }, 'one connection being destroyed, one caller waiting');
    open();
    await within(released, 1000, 'release(connection, { broken: true })');
    const b = await within(next, 1000, 'the waiting acquire() once destroy() finished');
    expect(f.maxAlive, 'connections alive at once').toBe(1);
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
  test('releasing a connection the pool never lent is refused, also as broken', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    await expectRejects(h.pool.release({ id: 'conn-999' }), undefined, 'release({ id: "conn-999" })');
    await expectRejects(h.pool.release({ id: 'conn-999' }, { broken: true }), undefined, 'release({ id: "conn-999" }, { broken: true })');
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'a new pool after the refused releases');
    const a = await h.acquire();
    await expectRejects(h.pool.release({ id: `${a.id}-other` }), undefined, 'release of an unknown id');
    await expectRejects(h.pool.release({ id: `${a.id}-other` }, { broken: true }), undefined, 'release of an unknown id as broken');
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'after the refused releases');
    expect(h.factory.destroyCalls, 'factory.destroy() calls for refused releases').toBe(0);
  }),
  test('a connection already given back cannot then be released as broken', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    await h.release(a);
    await expectRejects(
      h.pool.release({ id: a.id }, { broken: true }),
      undefined,
      `release(${a.id}, { broken: true }) after release(${a.id})`,
    );
    expect(h.factory.destroyCalls, 'factory.destroy() calls for the refused release').toBe(0);
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after the refused release');
    const b = await h.acquire('acquire() after the refused release');
    expect(b.id, 'the idle connection is lent again').toBe(a.id);
    await h.release(b);
    await h.expectNoLeak('everything returned');
  }),
  test('a connection released as broken cannot be released again, not even while destroy() runs', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    const f = h.factory;
    const a = await h.acquire();
    const { released, open } = await heldBrokenRelease(h, a);
    await expectRejects(
      within(h.pool.release({ id: a.id }), 1000, `release(${a.id}) while it is being destroyed`),
      undefined,
      `release(${a.id}) while it is being destroyed`,
    );
    const again = `release(${a.id}, { broken: true }) while it is being destroyed`;
    await expectRejects(within(h.pool.release({ id: a.id }, { broken: true }), 1000, again), undefined, again);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'while the broken connection is being destroyed');
    open();
    await within(released, 1000, 'the first release(connection, { broken: true })');
    await expectRejects(
      within(h.pool.release({ id: a.id }), 1000, `release(${a.id}) after it was destroyed`),
      undefined,
      `release(${a.id}) after it was destroyed`,
    );
    expect(f.destroyCalls, 'factory.destroy() calls').toBe(1);
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'after the destroy');
    const b = await h.acquire('acquire() afterwards');
    await h.release(b);
    await h.expectNoLeak('everything returned');
  }),
  test('two releases of the same connection at once: exactly one is accepted', async (ctx) => {
    const h = await pool(ctx, { max: 2, acquireTimeoutMs: 1000 });
    for (const broken of [false, true]) {
      const a = await h.acquire();
      const options = broken ? { broken: true } : undefined;
      const both = await Promise.all([outcome(h.release(a, broken)), outcome(h.pool.release({ id: a.id }, options))]);
      const accepted = both.filter((o) => 'ok' in o).length;
      expect(accepted, `releases accepted of two concurrent release(${a.id}${broken ? ', { broken: true }' : ''})`).toBe(1);
    }
    expect(h.factory.destroyCalls, 'factory.destroy() calls').toBe(1);
    await h.expectStats({ size: 0, idle: 0, pending: 0 }, 'after the releases (the second pair destroyed it)');
    await h.expectNoLeak('everything returned');
  }),
  test('a connection may be released as a copy: it is identified by its id', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1000 });
    const a = await h.acquire();
    await h.pool.release(JSON.parse(JSON.stringify(a)) as Conn, { broken: false });
    await h.expectStats({ size: 1, idle: 1, pending: 0 }, 'after releasing a copy');
  }),
  test('the smallest valid options: max 1, acquireTimeoutMs 1', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 1 });
    const a = await h.acquire();
    const [waiting] = await h.acquireWaiting('the waiting acquire()');
    await h.advance(1);
    await expectRejects(within(waiting, 1000, 'the waiting acquire()'), 'PoolTimeoutError', 'the waiting acquire() at 1 ms');
    await h.release(a);
    await h.expectNoLeak('everything returned');
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
