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
  type Rng,
  type TestContext,
} from '@assay/sdk';

interface Conn {
  id: string;
}

/**
 * The database driver, owned by the test. Counts connections alive (from the moment create() is
 * called until destroy() has finished), answers after a jittered delay, can fail creates and hold
 * them until released.
 */
class Factory {
  private seq = 0;
  readonly live = new Set<string>();
  readonly destroyed = new Set<string>();
  creating = 0;
  maxAlive = 0;
  createCalls = 0;
  failNext = 0;
  failRate = 0;
  gate: Latch | null = null;
  readonly problems: string[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly maxJitterMs: number,
  ) {}

  get alive(): number {
    return this.live.size + this.creating;
  }

  async create(): Promise<Conn> {
    this.createCalls++;
    this.creating++;
    this.maxAlive = Math.max(this.maxAlive, this.alive);
    try {
      if (this.gate) await this.gate.promise;
      await this.sleep(this.rng.int(0, this.maxJitterMs));
      if (this.failNext > 0 || (this.failRate > 0 && this.rng.next() < this.failRate)) {
        if (this.failNext > 0) this.failNext--;
        const e = new Error('could not connect to the database');
        e.name = 'ConnectError';
        throw e;
      }
      const id = `conn-${++this.seq}`;
      this.live.add(id);
      return { id };
    } finally {
      this.creating--;
    }
  }

  async destroy(conn: Conn): Promise<void> {
    const id = conn?.id;
    if (!this.live.has(id)) this.problems.push(`destroy() was called for ${String(id)}, which is not alive`);
    await this.sleep(this.rng.int(0, this.maxJitterMs));
    this.live.delete(id);
    this.destroyed.add(id);
  }
}

/** Virtual time: sleep() resolves only when the test advances the clock past its deadline. */
class FakeClock {
  now = 0;
  /** sleep() calls so far. */
  calls = 0;
  private timers: Array<{ at: number; resolve: () => void }> = [];

  sleep(ms: number): Promise<void> {
    this.calls++;
    return new Promise((resolve) => this.timers.push({ at: this.now + Number(ms), resolve }));
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers in order; then gives the answers time to go out. */
  async advance(ms: number, ctx: TestContext): Promise<void> {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.resolve();
    await ctx.sleep(25);
  }

  /** Fires every timer (end of a test: nothing is left waiting on us). */
  flush(): void {
    for (const t of this.timers) t.resolve();
    this.timers = [];
  }
}

interface Harness {
  pool: RemoteObject;
  factory: Factory;
  clock: FakeClock;
  /** Ids currently lent out, as the test sees them. */
  out: Set<string>;
}

async function makePool(ctx: TestContext, options: { max: number; acquireTimeoutMs: number }, maxJitterMs = 1): Promise<Harness> {
  const factory = new Factory(ctx.rng, ctx.sleep, maxJitterMs);
  const clock = new FakeClock();
  const pool = await ctx.subject.construct(
    'ConnectionPool',
    ctx.expose({ create: () => factory.create(), destroy: (c: Conn) => factory.destroy(c) }),
    ctx.expose({ sleep: (ms: number) => clock.sleep(ms) }),
    options,
  );
  return { pool, factory, clock, out: new Set() };
}

/** acquire(), checking what comes back: a live connection nobody else holds. */
function acquire(h: Harness, what = 'acquire()'): Promise<Conn> {
  const p = h.pool.call('acquire').then((c) => {
    const id = (c as Conn | null)?.id;
    if (typeof id !== 'string') fail(`${what} resolved with ${JSON.stringify(c)}, not a connection from the factory`);
    if (h.factory.destroyed.has(id)) fail(`${what} handed out ${id}, which was destroyed`);
    if (!h.factory.live.has(id)) fail(`${what} handed out ${id}, which the factory never created`);
    if (h.out.has(id)) fail(`${what} handed out ${id}, which is already lent to someone else`);
    h.out.add(id);
    return { id };
  });
  p.catch(() => undefined); // observed later (or on purpose never)
  return p;
}

async function release(h: Harness, conn: Conn, broken = false): Promise<void> {
  h.out.delete(conn.id);
  await h.pool.call('release', { id: conn.id }, broken ? { broken: true } : undefined);
}

async function stats(h: Harness): Promise<{ size: unknown; idle: unknown; pending: unknown }> {
  return { size: await h.pool.prop('size'), idle: await h.pool.prop('idle'), pending: await h.pool.prop('pending') };
}

async function expectStats(h: Harness, want: { size: number; idle: number; pending: number }, what: string): Promise<void> {
  expect(await stats(h), `${what}: { size, idle, pending }`).toEqual(want);
}

/** Polls a driver-side condition (e.g. "the candidate has asked the clock for a timer"). */
async function until(ctx: TestContext, cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await ctx.sleep(2);
  }
  fail(`gave up waiting: ${what}`);
}

const PENDING = Symbol('pending');

/** The promise's value if it settles within `ms` of real time; fails the test if it is still pending. */
async function settlesWithin<T>(ctx: TestContext, p: Promise<T>, what: string, ms = 1000): Promise<T> {
  const r = await Promise.race([p, ctx.sleep(ms).then(() => PENDING)]);
  if (r === PENDING) fail(`${what}: still pending after ${ms} ms of real time`);
  return r as T;
}

async function expectStillPending(ctx: TestContext, p: Promise<unknown>, what: string): Promise<void> {
  const r = await Promise.race([
    p.then(
      () => 'resolved',
      () => 'rejected',
    ),
    ctx.sleep(20).then(() => 'pending'),
  ]);
  expect(r, what).toBe('pending');
}

/** Waits until the candidate has `n` pending acquire() calls. */
async function untilPending(ctx: TestContext, h: Harness, n: number): Promise<void> {
  await until(ctx, async () => (await h.pool.prop('pending')) === n, `pending to reach ${n}`);
}

function expectNoLeak(h: Harness, s: { size: unknown; idle: unknown; pending: unknown }, what: string): void {
  expect(s.pending, `${what}: pending`).toBe(0);
  expect(s.idle, `${what}: idle (every connection is back)`).toBe(s.size);
  expect(s.size, `${what}: size compared with connections alive at the factory`).toBe(h.factory.alive);
  expect(h.factory.problems, `${what}: misuse of the factory`).toEqual([]);
}

async function withPool(
  ctx: TestContext,
  options: { max: number; acquireTimeoutMs: number },
  body: (h: Harness) => Promise<void>,
  maxJitterMs = 1,
): Promise<void> {
  const h = await makePool(ctx, options, maxJitterMs);
  try {
    await body(h);
  } finally {
    h.clock.flush();
    h.factory.gate?.open();
  }
}

export default defineSuites({
  correctness: [
    sample('creates connections on demand and reuses released ones', async (ctx) => {
      await withPool(ctx, { max: 2, acquireTimeoutMs: 1000 }, async (h) => {
        await expectStats(h, { size: 0, idle: 0, pending: 0 }, 'a new pool');
        const a = await acquire(h, 'first acquire()');
        expect(h.factory.createCalls, 'factory.create() calls').toBe(1);
        await expectStats(h, { size: 1, idle: 0, pending: 0 }, 'one connection lent');
        await release(h, a);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after release');
        const b = await acquire(h, 'second acquire()');
        expect(b.id, 'the second acquire() reuses the idle connection').toBe(a.id);
        expect(h.factory.createCalls, 'factory.create() calls').toBe(1);
      });
    }),
    sample('when every connection is lent, callers wait and are served first come, first served', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h, 'acquire() #1');
        const second = acquire(h, 'acquire() #2');
        await untilPending(ctx, h, 1);
        const third = acquire(h, 'acquire() #3');
        await untilPending(ctx, h, 2);
        await release(h, a);
        const b = await settlesWithin(ctx, second, 'acquire() #2 after a release');
        expect(b.id, 'acquire() #2 gets the released connection').toBe(a.id);
        await expectStillPending(ctx, third, 'acquire() #3 while #2 holds the connection');
        await release(h, b);
        expect((await settlesWithin(ctx, third, 'acquire() #3 after the second release')).id, 'acquire() #3 gets it next').toBe(a.id);
        expect(h.factory.createCalls, 'factory.create() calls (max is 1)').toBe(1);
      });
    }),
    sample('a waiting acquire() rejects with PoolTimeoutError after acquireTimeoutMs on the injected clock', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        const timers = h.clock.calls;
        const waiting = acquire(h, 'the waiting acquire()');
        await until(ctx, () => h.clock.calls > timers, 'the pool to start a timer with clock.sleep()');
        await h.clock.advance(999, ctx);
        await expectStillPending(ctx, waiting, 'the waiting acquire() at 999 ms');
        await h.clock.advance(1, ctx);
        await expectRejects(
          settlesWithin(ctx, waiting, 'the waiting acquire() at 1000 ms'),
          'PoolTimeoutError',
          'the waiting acquire() at 1000 ms',
        );
        await expectStats(h, { size: 1, idle: 0, pending: 0 }, 'after the timeout');
        await release(h, a);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after releasing the connection');
      });
    }),
    sample('a connection released as broken is destroyed, and the next caller gets a new one', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        await release(h, a, true);
        expect(h.factory.destroyed.has(a.id), `factory.destroy() was called for ${a.id}`).toBe(true);
        await expectStats(h, { size: 0, idle: 0, pending: 0 }, 'after releasing a broken connection');
        const b = await acquire(h, 'acquire() after the broken release');
        expect(b.id === a.id, 'the broken connection is handed out again').toBe(false);
      });
    }),

    test('never creates more than max connections', async (ctx) => {
      await withPool(ctx, { max: 3, acquireTimeoutMs: 1000 }, async (h) => {
        const held: Conn[] = [];
        for (let i = 0; i < 3; i++) held.push(await acquire(h, `acquire() #${i + 1}`));
        const fourth = acquire(h, 'acquire() #4');
        await untilPending(ctx, h, 1);
        expect(h.factory.createCalls, 'factory.create() calls with max 3').toBe(3);
        await expectStats(h, { size: 3, idle: 0, pending: 1 }, 'three lent, one waiting');
        await release(h, held[1]!);
        expect((await settlesWithin(ctx, fourth, 'acquire() #4')).id, 'acquire() #4 gets the released connection').toBe(held[1]!.id);
        expect(h.factory.maxAlive, 'connections alive at once').toBe(3);
      });
    }),
    test('idle connections are reused before new ones are created', async (ctx) => {
      await withPool(ctx, { max: 5, acquireTimeoutMs: 1000 }, async (h) => {
        const first: Conn[] = [];
        for (let i = 0; i < 3; i++) first.push(await acquire(h));
        for (const c of first) await release(h, c);
        const again: Conn[] = [];
        for (let i = 0; i < 3; i++) again.push(await acquire(h));
        expect(h.factory.createCalls, 'factory.create() calls').toBe(3);
        expect(again.map((c) => c.id).sort(), 'connections handed out again').toEqual(first.map((c) => c.id).sort());
        await expectStats(h, { size: 3, idle: 0, pending: 0 }, 'all three lent again');
      });
    }),
    test('ten waiters are served in the order they called acquire()', async (ctx) => {
      await withPool(ctx, { max: 2, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        const b = await acquire(h);
        const order: number[] = [];
        const waiters: Array<Promise<Conn>> = [];
        for (let i = 0; i < 10; i++) {
          const w = acquire(h, `waiter ${i}`).then((c) => (order.push(i), c));
          w.catch(() => undefined);
          waiters.push(w);
          await untilPending(ctx, h, i + 1);
        }
        let current = [a, b];
        for (let round = 0; round < 5; round++) {
          for (const c of current) await release(h, c);
          current = [
            await settlesWithin(ctx, waiters[2 * round]!, `waiter ${2 * round}`),
            await settlesWithin(ctx, waiters[2 * round + 1]!, `waiter ${2 * round + 1}`),
          ];
        }
        expect(order, 'order in which waiters got a connection').toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });
    }),
    test('a timed-out caller leaves the queue and never takes a connection', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 500 }, async (h) => {
        const a = await acquire(h);
        let timers = h.clock.calls;
        const early = acquire(h, 'the first waiter');
        await until(ctx, () => h.clock.calls > timers, 'a timer for the first waiter');
        await h.clock.advance(300, ctx);
        timers = h.clock.calls;
        const late = acquire(h, 'the second waiter');
        await until(ctx, () => h.clock.calls > timers, 'a timer for the second waiter');
        await h.clock.advance(200, ctx);
        await expectRejects(settlesWithin(ctx, early, 'the first waiter'), 'PoolTimeoutError', 'the first waiter at 500 ms');
        await expectStats(h, { size: 1, idle: 0, pending: 1 }, 'one waiter timed out, one still waiting');
        await release(h, a);
        const got = await settlesWithin(ctx, late, 'the second waiter after the release');
        expect(got.id, 'the second waiter gets the connection').toBe(a.id);
        await release(h, got);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'everything returned');
        await h.clock.advance(1000, ctx);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after the second waiter’s timer fires (it was served)');
      });
    }),
    test('the timeout also covers a connection that takes too long to create; it is kept when it arrives', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 300 }, async (h) => {
        const gate = latch();
        h.factory.gate = gate;
        const slow = acquire(h, 'acquire() with a slow create()');
        await until(ctx, () => h.factory.createCalls === 1 && h.clock.calls >= 1, 'create() to be called and a timer started');
        await h.clock.advance(300, ctx);
        await expectRejects(
          settlesWithin(ctx, slow, 'acquire() with a slow create()'),
          'PoolTimeoutError',
          'acquire() while create() is still running',
        );
        h.factory.gate = null;
        gate.open();
        await until(ctx, () => h.factory.creating === 0, 'create() to finish');
        await until(ctx, async () => (await h.pool.prop('idle')) === 1, 'the late connection to become idle');
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after the late connection arrived');
        const c = await acquire(h, 'the next acquire()');
        expect(
          h.factory.live.has(c.id) && h.factory.createCalls === 1,
          'the next acquire() gets the late connection without creating another',
        ).toBe(true);
      });
    }),
    test('a failed create() rejects that acquire() and frees its place', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        h.factory.failNext = 3;
        for (let i = 0; i < 3; i++) {
          await expectRejects(
            settlesWithin(ctx, acquire(h), `acquire() #${i + 1}`),
            'ConnectError',
            `acquire() #${i + 1} while the database refuses connections`,
          );
          await expectStats(h, { size: 0, idle: 0, pending: 0 }, `after failed create() #${i + 1}`);
        }
        const c = await settlesWithin(ctx, acquire(h, 'acquire() once the database is back'), 'acquire() once the database is back');
        expect(h.factory.live.has(c.id), 'a live connection').toBe(true);
        await expectStats(h, { size: 1, idle: 0, pending: 0 }, 'one connection lent');
      });
    }),
    test('a broken connection is replaced for the next waiter, after it has been destroyed', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        const waiter = acquire(h, 'the waiter');
        await untilPending(ctx, h, 1);
        await release(h, a, true);
        const b = await settlesWithin(ctx, waiter, 'the waiter after a broken release');
        expect(b.id === a.id, 'the waiter was given the broken connection').toBe(false);
        expect(h.factory.maxAlive, 'connections alive at once (the new one may only be created once the old one is destroyed)').toBe(1);
        await release(h, b);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'everything returned');
      });
    }),
    test('if the replacement for a waiter cannot be created, that waiter gets the error and the next one a connection', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        const w1 = acquire(h, 'waiter 1');
        await untilPending(ctx, h, 1);
        const w2 = acquire(h, 'waiter 2');
        await untilPending(ctx, h, 2);
        h.factory.failNext = 1;
        await release(h, a, true);
        await expectRejects(settlesWithin(ctx, w1, 'waiter 1'), 'ConnectError', 'waiter 1 (its create() failed)');
        const c = await settlesWithin(ctx, w2, 'waiter 2');
        expect(h.factory.live.has(c.id), 'waiter 2 gets a live connection').toBe(true);
        await expectStats(h, { size: 1, idle: 0, pending: 0 }, 'waiter 2 holds the only connection');
      });
    }),
    test('releasing a connection twice is refused and never lends it twice', async (ctx) => {
      await withPool(ctx, { max: 2, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        await release(h, a);
        await expectRejects(h.pool.call('release', { id: a.id }), undefined, `release(${a.id}) a second time`);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after the refused second release');
        const b = await acquire(h, 'acquire() #2');
        const c = await acquire(h, 'acquire() #3');
        expect(b.id === c.id, 'two callers got the same connection').toBe(false);
      });
    }),
    test('releasing a connection the pool never lent is refused', async (ctx) => {
      await withPool(ctx, { max: 2, acquireTimeoutMs: 1000 }, async (h) => {
        await expectRejects(h.pool.call('release', { id: 'conn-999' }), undefined, 'release({ id: "conn-999" })');
        const a = await acquire(h);
        await expectRejects(h.pool.call('release', { id: `${a.id}-other` }), undefined, 'release of an unknown id');
        await expectStats(h, { size: 1, idle: 0, pending: 0 }, 'after the refused releases');
      });
    }),
    test('a connection may be released as a copy: it is identified by its id', async (ctx) => {
      await withPool(ctx, { max: 1, acquireTimeoutMs: 1000 }, async (h) => {
        const a = await acquire(h);
        await h.pool.call('release', JSON.parse(JSON.stringify(a)), { broken: false });
        h.out.delete(a.id);
        await expectStats(h, { size: 1, idle: 1, pending: 0 }, 'after releasing a copy');
      });
    }),
    test('invalid options throw a RangeError', async (ctx) => {
      const factory = new Factory(ctx.rng, ctx.sleep, 0);
      const clock = new FakeClock();
      for (const options of [
        { max: 0, acquireTimeoutMs: 100 },
        { max: 2.5, acquireTimeoutMs: 100 },
        { max: 3, acquireTimeoutMs: 0 },
        { max: 3, acquireTimeoutMs: -5 },
        { acquireTimeoutMs: 100 },
      ]) {
        await expectRejects(
          ctx.subject.construct(
            'ConnectionPool',
            ctx.expose({ create: () => factory.create(), destroy: (c: Conn) => factory.destroy(c) }),
            ctx.expose({ sleep: (ms: number) => clock.sleep(ms) }),
            options,
          ),
          'RangeError',
          `new ConnectionPool(factory, clock, ${JSON.stringify(options)})`,
        );
      }
    }),
  ],
  stress: [
    test(
      '300 concurrent borrowers never push the pool past max (10)',
      async (ctx) => {
        await withPool(
          ctx,
          { max: 10, acquireTimeoutMs: 1_000_000 },
          async (h) => {
            // Hold every create() until all 300 calls are in (each waiting or having started a create),
            // so no connection comes back before the pool has decided about every caller.
            const gate = latch();
            h.factory.gate = gate;
            let served = 0;
            const borrowers = Array.from({ length: 300 }, (_, i) =>
              acquire(h, `borrower ${i}`).then(async (c) => {
                served++;
                await ctx.sleep(ctx.rng.int(0, 3));
                await release(h, c);
              }),
            );
            await until(
              ctx,
              async () => h.factory.creating > 10 || (await h.pool.prop('pending')) === 300,
              'all 300 acquire() calls to be registered',
            );
            expect(h.factory.creating <= 10, `connections being created at once (${h.factory.creating})`).toBe(true);
            h.factory.gate = null;
            gate.open();
            await settlesWithin(ctx, Promise.all(borrowers), 'the 300 borrowers', 8000);
            expect(served, 'borrowers served').toBe(300);
            expect(h.factory.maxAlive <= 10, `most connections alive at once (${h.factory.maxAlive}, max 10)`).toBe(true);
            expectNoLeak(h, await stats(h), 'after every borrower is done');
          },
          3,
        );
      },
      { timeoutMs: 15_000 },
    ),
    test(
      'borrowers that break connections under load: destroyed ones are replaced, never lent again',
      async (ctx) => {
        await withPool(
          ctx,
          { max: 5, acquireTimeoutMs: 1_000_000 },
          async (h) => {
            const borrowers = Array.from({ length: 200 }, (_, i) =>
              acquire(h, `borrower ${i}`).then(async (c) => {
                await ctx.sleep(ctx.rng.int(0, 3));
                await release(h, c, ctx.rng.next() < 0.3);
              }),
            );
            await settlesWithin(ctx, Promise.all(borrowers), 'the 200 borrowers', 8000);
            expect(h.factory.maxAlive <= 5, `most connections alive at once (${h.factory.maxAlive}, max 5)`).toBe(true);
            expect(h.factory.destroyed.size > 20, 'connections destroyed').toBe(true);
            expectNoLeak(h, await stats(h), 'after every borrower is done');
          },
          3,
        );
      },
      { timeoutMs: 15_000 },
    ),
    test('fifty callers time out together, and nothing leaks', async (ctx) => {
      await withPool(
        ctx,
        { max: 3, acquireTimeoutMs: 250 },
        async (h) => {
          const held: Conn[] = [];
          for (let i = 0; i < 3; i++) held.push(await acquire(h));
          const timers = h.clock.calls;
          const waiters = Array.from({ length: 50 }, (_, i) => acquire(h, `waiter ${i}`));
          await until(ctx, () => h.clock.calls >= timers + 50, 'fifty timers');
          await h.clock.advance(249, ctx);
          expect(await h.pool.prop('pending'), 'pending at 249 ms').toBe(50);
          await h.clock.advance(1, ctx);
          const outcomes = await settlesWithin(
            ctx,
            Promise.all(
              waiters.map((w) =>
                w.then(
                  () => 'served',
                  (e: unknown) => (isRemoteError(e) ? e.remoteName : 'driver error'),
                ),
              ),
            ),
            'the fifty waiters',
            3000,
          );
          expect(outcomes.filter((o) => o === 'PoolTimeoutError').length, 'waiters rejected with PoolTimeoutError').toBe(50);
          for (const c of held) await release(h, c);
          expectNoLeak(h, await stats(h), 'after the timeouts and releases');
          const again = await Promise.all(Array.from({ length: 3 }, () => acquire(h)));
          expect(h.factory.createCalls, 'factory.create() calls (the idle connections are reused)').toBe(3);
          for (const c of again) await release(h, c);
        },
        3,
      );
    }),
    test(
      'a hundred queued callers are served in the order they called acquire()',
      async (ctx) => {
        await withPool(
          ctx,
          { max: 2, acquireTimeoutMs: 1_000_000 },
          async (h) => {
            const a = await acquire(h);
            const b = await acquire(h);
            const order: number[] = [];
            const waiters = Array.from({ length: 100 }, (_, i) => acquire(h, `waiter ${i}`).then((c) => (order.push(i), c)));
            waiters.forEach((w) => w.catch(() => undefined));
            await untilPending(ctx, h, 100);
            let current = [a, b];
            for (let round = 0; round < 50; round++) {
              await Promise.all(current.map((c) => release(h, c)));
              current = await Promise.all([
                settlesWithin(ctx, waiters[2 * round]!, `waiter ${2 * round}`),
                settlesWithin(ctx, waiters[2 * round + 1]!, `waiter ${2 * round + 1}`),
              ]);
            }
            expect(
              [...order].sort((x, y) => x - y),
              'every waiter served',
            ).toEqual(Array.from({ length: 100 }, (_, i) => i));
            for (let i = 0; i < 100; i += 2)
              expect(
                [order[i], order[i + 1]].sort((x, y) => x! - y!),
                `waiters served in round ${i / 2}`,
              ).toEqual([i, i + 1]);
          },
          3,
        );
      },
      { timeoutMs: 15_000 },
    ),
    test(
      '400 borrowers with failing connects and broken connections: limits hold, nothing leaks',
      async (ctx) => {
        await withPool(
          ctx,
          { max: 8, acquireTimeoutMs: 1_000_000 },
          async (h) => {
            h.factory.failRate = 0.1;
            let served = 0;
            let refused = 0;
            const borrowers = Array.from({ length: 400 }, (_, i) =>
              acquire(h, `borrower ${i}`).then(
                async (c) => {
                  served++;
                  await ctx.sleep(ctx.rng.int(0, 3));
                  await release(h, c, ctx.rng.next() < 0.15);
                },
                (e: unknown) => {
                  if (isRemoteError(e) && e.remoteName === 'ConnectError') refused++;
                  else throw e;
                },
              ),
            );
            await settlesWithin(ctx, Promise.all(borrowers), 'the 400 borrowers', 10_000);
            expect(served + refused, 'borrowers that got a connection or the factory’s error').toBe(400);
            expect(h.factory.maxAlive <= 8, `most connections alive at once (${h.factory.maxAlive}, max 8)`).toBe(true);
            expectNoLeak(h, await stats(h), 'after every borrower is done');
          },
          3,
        );
      },
      { timeoutMs: 20_000 },
    ),
  ],
});
