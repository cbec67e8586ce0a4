import { expect, test, until } from '@assay/sdk';
import { setup, run, passes, fails, rejected, state, play, trip, burst, count, held } from './harness';

export const stress = [
  test(
    'when the cool-down ends, 200 concurrent calls let exactly halfOpenMaxCalls trials through',
    async (ctx) => {
      const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 500, halfOpenMaxCalls: 3 }, 3);
      for (const [episode, openedAt] of [1000, 11_000, 21_000].entries()) {
        await trip(h, 2, openedAt);
        const { admitted, outcomes } = await burst(ctx, h, 200, openedAt + 500, h.ok);
        expect(admitted, `episode ${episode}: calls that reached the downstream in half-open`).toBe(3);
        expect(count(outcomes, 'ok'), `episode ${episode}: successful calls`).toBe(3);
        expect(count(outcomes, 'rejected'), `episode ${episode}: calls rejected with CircuitOpenError`).toBe(197);
        await play(h, state(openedAt + 500, 'closed'));
        const after = await Promise.all(Array.from({ length: 50 }, () => run(h.b, h.ok(), openedAt + 501)));
        expect(count(after, 'ok'), `episode ${episode}: concurrent calls passing once closed`).toBe(50);
      }
    },
    { timeoutMs: 15_000 },
  ),
  test(
    'concurrent trials that fail reopen the circuit once',
    async (ctx) => {
      const h = await setup(ctx, { failureThreshold: 3, cooldownMs: 400, halfOpenMaxCalls: 5 }, 3);
      await trip(h, 3, 2000);
      const first = await burst(ctx, h, 100, 2400, h.bad);
      expect(first.admitted, 'failing trials that reached the downstream').toBe(5);
      expect(count(first.outcomes, 'failed'), 'trial failures passed on').toBe(5);
      await play(h, state(2400, 'open'), rejected(2799));
      const second = await burst(ctx, h, 100, 2800, h.ok);
      expect(second.admitted, 'trials that reached the downstream after the second cool-down').toBe(5);
      expect(count(second.outcomes, 'rejected'), 'calls rejected during the second half-open').toBe(95);
      await play(h, state(2800, 'closed'));
    },
    { timeoutMs: 15_000 },
  ),
  test('trial permits are used up by admission, not returned when a trial finishes', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 1, cooldownMs: 100, halfOpenMaxCalls: 2 }, 3);
    await trip(h, 1, 500);
    const [t1, t2] = [held(h, 'trial-1', 600), held(h, 'trial-2', 600)];
    await until(ctx, () => h.ds.inFlight >= 2, 'both trials in flight');
    expect(h.ds.inFlight, 'trial calls in flight').toBe(2);
    h.ds.hold('trial-1').open();
    expect(await t1, 'first trial').toBe('ok');
    await play(h, state(600, 'half-open'), rejected(600));
    h.ds.hold('trial-2').open();
    expect(await t2, 'second trial').toBe('ok');
    await play(h, state(600, 'closed'));
  }),
  test('outcomes of calls admitted before a state change are ignored', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 1 }, 3);
    // two slow calls admitted while closed: one will succeed late, one will fail late
    const [lateSuccess, lateFailure] = [held(h, 'late-success', 0), held(h, 'late-failure', 0, true)];
    await until(ctx, () => h.ds.inFlight >= 2, 'both slow calls in flight');
    await play(h, fails(1), fails(2), state(2, 'open'));
    const trial = held(h, 'trial', 102);
    await until(ctx, () => h.ds.inFlight >= 3, 'the trial in flight');
    h.ds.hold('late-failure').open();
    expect(await lateFailure, 'the late failure is still passed on to its caller').toBe('failed');
    await play(h, state(102, 'half-open'));
    h.ds.hold('late-success').open();
    expect(await lateSuccess, 'the late success is still returned to its caller').toBe('ok');
    await play(h, state(102, 'half-open'), rejected(103));
    h.ds.hold('trial').open();
    expect(await trial, 'the trial').toBe('ok');
    await play(h, state(103, 'closed'));
  }),
  test('concurrent failures while closed open the circuit once, from their own time', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 5, cooldownMs: 300, halfOpenMaxCalls: 1 }, 3);
    const { admitted, outcomes } = await burst(ctx, h, 100, 7000, h.bad);
    expect(admitted, 'calls admitted while closed').toBe(100);
    expect(count(outcomes, 'failed'), 'failures passed on').toBe(100);
    await play(h, state(7000, 'open'), state(7299, 'open'), state(7300, 'half-open'), passes(7300), state(7300, 'closed'));
  }),
];
