import { expect, expectRejects, only, sample, show, test, until } from '@assay/sdk';
import {
  type Options,
  type CircuitBreaker,
  downstream,
  breaker,
  setup,
  passes,
  fails,
  rejected,
  state,
  play,
  trip,
  randomCalls,
  held,
} from './harness';

export const correctness = [
  sample('passes calls through while closed, errors included', async (ctx) => {
    const { b, ds } = await setup(ctx, { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 });
    expect(await b.state(0), 'state(0)').toBe('closed');
    const result = await b.execute({ id: 1, payload: { amount: 42 } }, 0);
    expect(result, 'execute({id: 1, payload: {amount: 42}}, 0)').toEqual({ id: 1, ok: true, echo: { amount: 42 } });
    const err = await expectRejects(b.execute({ id: 2, fail: true }, 5), 'DownstreamError', 'execute({id: 2, fail: true}, 5)');
    const passedOn = err.message.includes('downstream failed request 2');
    expect(passedOn, `the downstream's error message is passed on (got "${err.message}")`).toBe(true);
    expect(await b.state(5), 'state(5)').toBe('closed');
    expect(ds.entered, 'requests that reached the downstream').toEqual([1, 2]);
  }),
  sample('opens after failureThreshold consecutive failures, then fails fast', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 });
    await play(h, fails(10), fails(20), state(20, 'closed'), fails(30), state(30, 'open'), rejected(40));
    expect(h.ds.entered, 'requests that reached the downstream (#4 must not)').toEqual([1, 2, 3]);
  }),
  sample('after the cool-down a successful trial call closes the circuit', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 1000, halfOpenMaxCalls: 1 });
    await play(h, fails(20), fails(30), state(1029, 'open'), state(1030, 'half-open'));
    await play(h, passes(1030), state(1030, 'closed'), passes(1031));
    expect(h.ds.entered, 'requests that reached the downstream').toEqual([1, 2, 3, 4]);
  }),

  test('a success resets the count of consecutive failures', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 3, cooldownMs: 500, halfOpenMaxCalls: 1 });
    await play(h, fails(100), fails(101), passes(102), fails(103), fails(104), passes(105), fails(106), fails(107));
    await play(h, state(110, 'closed'), fails(111), state(111, 'open'), rejected(112));
  }),
  test('the cool-down runs from the failure that opened the circuit, to the millisecond', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 750, halfOpenMaxCalls: 1 });
    await trip(h, 2, 5000);
    await play(h, rejected(5001), rejected(5749), state(5749, 'open'));
    const before = h.ds.entered.length;
    await play(h, passes(5750));
    expect(h.ds.entered.length - before, 'trial calls that reached the downstream').toBe(1);
    await play(h, state(5750, 'closed'));
  }),
  test('rejected calls do not extend the cool-down', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 1, cooldownMs: 300, halfOpenMaxCalls: 1 });
    await trip(h, 1, 1000);
    await play(h, ...Array.from({ length: 15 }, (_, i) => rejected(1000 + 20 * i)));
    expect(h.ds.entered.length, 'calls that reached the downstream while open').toBe(1);
    await play(h, passes(1300));
  }),
  test('a failed trial reopens the circuit and restarts the cool-down from the trial', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 1000, halfOpenMaxCalls: 1 });
    await trip(h, 2, 30);
    await play(h, fails(1100), state(1100, 'open'), rejected(1101), rejected(2000), rejected(2099), state(2099, 'open'));
    await play(h, state(2100, 'half-open'), passes(2100), state(2100, 'closed'));
  }),
  test('with halfOpenMaxCalls = 3 it takes three successful trials to close', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 3 });
    await trip(h, 2, 10);
    await play(h, passes(110), state(110, 'half-open'), passes(111), state(111, 'half-open'), passes(112), state(112, 'closed'));
  }),
  test('with halfOpenMaxCalls = 3 one failed trial reopens the circuit', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 3 });
    await trip(h, 2, 10);
    await play(h, passes(110), fails(115), state(115, 'open'), rejected(214));
    await play(h, passes(215), passes(216), passes(217), state(217, 'closed'));
  }),
  test('after closing, the failure count starts from zero', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 3, cooldownMs: 50, halfOpenMaxCalls: 1 });
    await trip(h, 3, 10);
    await play(h, passes(60), state(60, 'closed'), fails(61), fails(62), state(62, 'closed'), fails(63), state(63, 'open'));
  }),
  test('failureThreshold = 1 opens on the first failure', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 1, cooldownMs: 10, halfOpenMaxCalls: 1 });
    await play(h, passes(0), fails(1), rejected(2), fails(11), rejected(12), passes(21));
  }),
  test('state() only reports; it never changes what execute() does', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 2 });
    await play(h, ...[0, 1, 2, 3, 4].map((t) => state(t, 'closed')));
    await trip(h, 2, 10);
    await play(h, state(10, 'open'), state(50, 'open'), state(109, 'open'), ...[110, 110, 110].map((t) => state(t, 'half-open')));
    await play(h, passes(110), state(110, 'half-open'), passes(110), state(110, 'closed'));
  }),
  test('requests and results pass through unchanged', async (ctx) => {
    const { b } = await setup(ctx, { failureThreshold: 5, cooldownMs: 100, halfOpenMaxCalls: 1 });
    const payload = { user: 'ada', items: [1, 2, { sku: 'x-1', qty: 3 }], note: null, nested: { deep: [true, false] } };
    expect(await b.execute({ id: 77, payload }, 0), 'execute(...) result').toEqual({ id: 77, ok: true, echo: payload });
  }),
  test('invalid options throw a RangeError', async (ctx) => {
    const good: Options = { failureThreshold: 3, cooldownMs: 1000, halfOpenMaxCalls: 1 };
    const ds = downstream(ctx, 0);
    const values = [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '3', null, true, undefined];
    const bad = (Object.keys(good) as (keyof Options)[]).flatMap((k) => values.map((v) => ({ ...good, [k]: v })));
    for (const options of [...bad, { cooldownMs: 1000, halfOpenMaxCalls: 1 }, {}])
      await expectRejects(breaker(ctx, ds, options), 'RangeError', `new CircuitBreaker(downstream, ${show(options)})`);
    await expectRejects(breaker(ctx, ds, undefined), 'RangeError', 'new CircuitBreaker(downstream, undefined)');
    await expectRejects(
      ctx.construct<CircuitBreaker>('CircuitBreaker', ctx.expose(only(ds, ['call']))),
      'RangeError',
      'new CircuitBreaker(downstream) without options',
    );
    await breaker(ctx, ds, { failureThreshold: 1, cooldownMs: 1, halfOpenMaxCalls: 1 });
  }),
  test('a late failure from before the circuit opened does not count once it has closed again', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 1 });
    const slow = held(h, 'slow', 0, true); // admitted while closed, answers two periods later
    await until(ctx, () => h.ds.inFlight >= 1, 'the slow call in flight');
    await play(h, fails(1), fails(2), state(2, 'open'), passes(102), state(102, 'closed'), fails(103), state(103, 'closed'));
    h.ds.hold('slow').open();
    expect(await slow, 'the late failure is still passed on to its caller').toBe('failed');
    await play(h, state(103, 'closed'), passes(104), fails(105), state(105, 'closed'), fails(106), state(106, 'open'));
  }),
  test('a late success from before the circuit opened does not reset the failures of the next closed period', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 1 });
    const slow = held(h, 'slow', 0);
    await until(ctx, () => h.ds.inFlight >= 1, 'the slow call in flight');
    await play(h, fails(1), fails(2), state(2, 'open'), passes(102), state(102, 'closed'), fails(103));
    h.ds.hold('slow').open();
    expect(await slow, 'the late success is still returned to its caller').toBe('ok');
    await play(h, fails(104), state(104, 'open'), rejected(105));
  }),
  test('a late failure from before the circuit opened does not restart the cool-down', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 2, cooldownMs: 100, halfOpenMaxCalls: 1 });
    const [early, late] = [held(h, 'early', 50, true), held(h, 'late', 55, true)];
    await until(ctx, () => h.ds.inFlight >= 2, 'both slow calls in flight');
    await play(h, fails(60), fails(70), state(70, 'open'));
    h.ds.hold('late').open();
    h.ds.hold('early').open();
    expect([await early, await late], 'the late failures are still passed on').toEqual(['failed', 'failed']);
    await play(h, state(150, 'open'), state(169, 'open'), rejected(169), state(170, 'half-open'), passes(170), state(170, 'closed'));
  }),
  test('trials in flight together: one failure reopens at once, the other trials’ later successes do not close', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 1, cooldownMs: 100, halfOpenMaxCalls: 3 });
    await play(h, fails(0), state(0, 'open'));
    const trials = [held(h, 't1', 100), held(h, 't2', 101, true), held(h, 't3', 102)];
    await until(ctx, () => h.ds.inFlight >= 3, 'three trials in flight');
    h.ds.hold('t1').open();
    expect(await trials[0], 'trial 1').toBe('ok');
    await play(h, state(102, 'half-open'));
    h.ds.hold('t2').open();
    expect(await trials[1], 'trial 2').toBe('failed');
    await play(h, state(102, 'open'));
    h.ds.hold('t3').open();
    expect(await trials[2], 'trial 3, finishing after the failure').toBe('ok');
    // reopened at the failed trial's time (101): the next half-open period needs three new successes
    await play(h, state(102, 'open'), rejected(150), state(200, 'open'), state(201, 'half-open'));
    await play(h, passes(201), state(201, 'half-open'), passes(202), state(202, 'half-open'), passes(203), state(203, 'closed'));
  }),
  test('a late trial from an earlier half-open period counts for nothing in the next one', async (ctx) => {
    const h = await setup(ctx, { failureThreshold: 1, cooldownMs: 100, halfOpenMaxCalls: 3 });
    await play(h, fails(0), state(0, 'open'));
    // first half-open period: c fails and reopens the circuit at 100; a (success) and b (failure) answer later
    const [c, a, b] = [held(h, 'c', 100, true), held(h, 'a', 150), held(h, 'b', 160, true)];
    await until(ctx, () => h.ds.inFlight >= 3, 'three trials in flight');
    h.ds.hold('c').open();
    expect(await c, 'trial c').toBe('failed');
    await play(h, state(160, 'open'), rejected(199), state(199, 'open'), state(200, 'half-open'));
    // second half-open period: two trials in flight, then the first period's late outcomes arrive
    const [d, e] = [held(h, 'd', 200), held(h, 'e', 200)];
    await until(ctx, () => h.ds.inFlight >= 4, 'two new trials in flight');
    h.ds.hold('b').open();
    expect(await b, 'the late failure of trial b is still passed on').toBe('failed');
    await play(h, state(200, 'half-open'));
    h.ds.hold('d').open();
    h.ds.hold('e').open();
    expect([await d, await e], 'trials d and e').toEqual(['ok', 'ok']);
    await play(h, state(200, 'half-open'));
    h.ds.hold('a').open();
    expect(await a, 'the late success of trial a is still returned').toBe('ok');
    await play(h, state(200, 'half-open'), passes(201), state(201, 'closed'));
  }),
  test(
    'a long random sequence of calls matches the rules (threshold 3, 1 trial)',
    randomCalls({ failureThreshold: 3, cooldownMs: 200, halfOpenMaxCalls: 1 }, 300),
    { timeoutMs: 10_000 },
  ),
  test(
    'a long random sequence of calls matches the rules (threshold 5, 3 trials)',
    randomCalls({ failureThreshold: 5, cooldownMs: 1000, halfOpenMaxCalls: 3 }, 300),
    { timeoutMs: 10_000 },
  ),
];
