import { expect, expectRejects, latch, outcome, test, until, within } from '@assay/sdk';
import { borrowers, expectPending, pool, slowAcquire } from './harness';

const endless = 1_000_000;
export const stress = [
  // A caller arriving while another one's create() is still running: that create() counts against max (a pool that
  // counts a connection only once create() has resolved fails these, as it does under a burst).
  test('a connection created after its caller timed out goes to the caller waiting next', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 300 });
    const f = h.factory;
    const slow = await slowAcquire(h, 'the first acquire()');
    await h.advance(100);
    const [next] = await h.acquireWaiting('the second acquire()');
    await h.advance(200);
    await expectRejects(
      within(slow.p, 1000, 'the first acquire()'),
      'PoolTimeoutError',
      'the first acquire() at 300 ms, create() still running',
    );
    await h.expectStats({ size: 1, idle: 0, pending: 1 }, 'the first caller timed out, its connection still being created');
    expect(f.createCalls, 'factory.create() calls while the only place (max 1) is being created').toBe(1);
    slow.open();
    const c = await within(next, 1000, 'the second acquire() once the late connection arrived');
    expect(f.createCalls, 'factory.create() calls (the late connection is handed on)').toBe(1);
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'the second caller holds the late connection');
    await h.release(c);
    await h.expectNoLeak('everything returned');
  }),
  test('a connection still being created for a caller who timed out counts against max', async (ctx) => {
    const h = await pool(ctx, { max: 1, acquireTimeoutMs: 300 });
    const f = h.factory;
    const slow = await slowAcquire(h, 'the first acquire()');
    await h.advance(300);
    await expectRejects(
      within(slow.p, 1000, 'the first acquire()'),
      'PoolTimeoutError',
      'the first acquire() at 300 ms, create() still running',
    );
    await h.expectStats({ size: 1, idle: 0, pending: 0 }, 'after the timeout, while its connection is still being created');
    const [next] = await h.acquireWaiting('an acquire() while the late connection is being created');
    await expectPending(h, next, 'an acquire() while the only place (max 1) is taken by a create() still running');
    expect(f.createCalls, 'factory.create() calls while the only place (max 1) is being created').toBe(1);
    slow.open();
    const c = await within(next, 1000, 'the waiting acquire() once the late connection arrived');
    expect(f.maxAlive, 'connections alive at once').toBe(1);
    await h.release(c);
    await h.expectNoLeak('everything returned');
  }),
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
  test(
    '200 borrowers break connections and half of the destroys fail: places are freed, nothing leaks',
    async (ctx) => {
      const h = await pool(ctx, { max: 5, acquireTimeoutMs: endless }, 3);
      h.factory.destroyFailRate = 0.5;
      await within(Promise.all(borrowers(h, 200, 0.4)), 8000, 'the 200 borrowers');
      expect(h.factory.maxAlive <= 5, `most connections alive at once (${h.factory.maxAlive}, max 5)`).toBe(true);
      expect(h.factory.destroyCalls > 40, 'connections destroyed').toBe(true);
      await h.expectNoLeak('after every borrower is done');
    },
    { timeoutMs: 15_000 },
  ),
  test(
    'connections created too late for thirty callers who timed out serve the callers waiting behind them',
    async (ctx) => {
      const h = await pool(ctx, { max: 5, acquireTimeoutMs: 300 }, 3);
      const [f, gate] = [h.factory, latch()];
      f.gate = gate;
      const timers = h.clock.sleeps;
      const early = Array.from({ length: 30 }, (_, i) => outcome(h.acquire(`early caller ${i}`)));
      await until(h.ctx, () => h.clock.sleeps >= timers + 30 && f.createCalls === 5, 'thirty timers and five create() calls');
      await h.advance(100);
      const late = borrowers(h, 40);
      await until(h.ctx, () => h.clock.sleeps >= timers + 70, 'forty more timers');
      await h.advance(200);
      const outcomes = await within(Promise.all(early), 3000, 'the thirty early callers');
      const timedOut = outcomes.filter((o) => 'error' in o && o.error === 'PoolTimeoutError').length;
      expect(timedOut, 'early callers rejected with PoolTimeoutError at 300 ms').toBe(30);
      expect(await h.pool.size, 'size while the five late connections are still being created').toBe(5);
      f.gate = undefined;
      gate.open();
      const served = (await within(Promise.all(late), 8000, 'the forty callers waiting behind them')).length;
      expect(served, 'waiting callers served by the late connections').toBe(40);
      expect(f.createCalls, 'factory.create() calls (the late connections are handed on)').toBe(5);
      await h.expectNoLeak('after every caller is done');
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
