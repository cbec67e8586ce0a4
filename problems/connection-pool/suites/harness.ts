import {
  describeOutcome,
  expect,
  fail,
  isRemoteError,
  jitter,
  latch,
  ManualClock,
  namedError,
  only,
  outcome,
  until,
  within,
  type Latch,
  type TestContext,
  type TestDef,
} from '@assay/sdk';

export type Conn = { id: string };
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
 * called until destroy() has finished), answers after a seeded delay, and can refuse or hold creates
 * and destroys. A destroy() that rejects has closed the connection all the same (it is no longer alive).
 */
export function factory(ctx: TestContext, latencyMs: number) {
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
    destroyCalls: 0,
    destroyFailNext: 0,
    destroyFailRate: 0,
    destroyGate: undefined as Latch | undefined,
    problems: [] as string[],
    get alive(): number {
      return f.live.size + f.creating;
    },
    async create(): Promise<Conn> {
      f.createCalls++;
      f.creating++;
      f.maxAlive = Math.max(f.maxAlive, f.alive);
      const refuseNow = f.failNext > 0 ? f.failNext-- > 0 : undefined; // failNext: the next calls, in call order
      try {
        await f.gate?.promise;
        await jitter(ctx, latencyMs);
        const refuse = refuseNow ?? (f.failRate > 0 && ctx.rng.next() < f.failRate);
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
      f.destroyCalls++;
      if (!f.live.has(id)) f.problems.push(`destroy() was called for ${String(id)}, which is not alive`);
      await f.destroyGate?.promise;
      await jitter(ctx, latencyMs);
      f.live.delete(id);
      f.destroyed.add(id);
      const fails = f.destroyFailNext > 0 ? f.destroyFailNext-- > 0 : f.destroyFailRate > 0 && ctx.rng.next() < f.destroyFailRate;
      if (fails) throw namedError('DestroyError', 'the connection did not close cleanly');
    },
  };
  return f;
}
type Factory = ReturnType<typeof factory>;

export const newPool = (ctx: TestContext, f: Factory, clock: ManualClock, options: unknown) =>
  ctx.construct<ConnectionPool>('ConnectionPool', ctx.expose(only(f, ['create', 'destroy'])), ctx.expose(only(clock, ['sleep'])), options);

/** What to do when a test ends, whatever its outcome (see `tidy`). */
const cleanups = new WeakMap<TestContext, () => void>();

/** A pool on a fresh factory and clock, and what the tests do with it. */
export async function pool(ctx: TestContext, options: PoolOptions, latencyMs = 1) {
  const [f, clock] = [factory(ctx, latencyMs), new ManualClock()];
  cleanups.set(ctx, () => {
    clock.flush();
    f.gate?.open();
    f.destroyGate?.open();
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
export type Harness = Awaited<ReturnType<typeof pool>>;

/** Once a test ends every timer fires and held creates go on: nothing is left waiting on the driver. */
export const tidy = (t: TestDef): TestDef => ({
  ...t,
  run: async (ctx) => {
    try {
      await t.run(ctx);
    } finally {
      cleanups.get(ctx)?.();
    }
  },
});

/** An acquire() whose create() is held by the returned gate, once its timer has started. */
export async function slowAcquire(h: Harness, what: string) {
  const [f, gate] = [h.factory, latch()];
  f.gate = gate;
  const calls = f.createCalls;
  const p = h.acquire(what);
  await until(h.ctx, () => f.createCalls === calls + 1 && h.clock.sleeps >= 1, `create() to be called for ${what} and a timer started`);
  const open = () => {
    f.gate = undefined;
    gate.open();
  };
  return { p, open };
}

/** release(conn, { broken: true }) whose destroy() is held by the returned gate, once destroy() was called. */
export async function heldBrokenRelease(h: Harness, conn: Conn) {
  const [f, gate] = [h.factory, latch()];
  f.destroyGate = gate;
  const calls = f.destroyCalls;
  const released = h.release(conn, true);
  released.catch(() => undefined); // awaited by the caller
  await until(h.ctx, () => f.destroyCalls === calls + 1, 'destroy() to be called');
  const open = () => {
    f.destroyGate = undefined;
    gate.open();
  };
  return { released, open };
}

/** `promise` (a call to the pool) resolves within a second: a rejection is a wrong answer, not a crash. */
export async function expectResolves(promise: Promise<unknown>, what: string): Promise<void> {
  const o = await outcome(within(promise, 1000, what));
  if (!('ok' in o)) fail(`${what}: expected it to resolve, it ${describeOutcome(o)}`, 'resolved', describeOutcome(o));
}

export async function expectPending(h: Harness, p: Promise<unknown>, what: string): Promise<void> {
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
export const borrowers = (h: Harness, n: number, breakRate = 0, tolerated?: string) =>
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
