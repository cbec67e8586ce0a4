import { defineSuites, expect, expectRejects, fail, KvStore, sample, show, test, type Remote, type TestContext } from '@assay/sdk';

type SeatStatus =
  { state: 'available' } | { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };
interface SeatBooking {
  hold(seatId: string, customerId: string, nowMs: number): boolean;
  confirm(seatId: string, customerId: string, nowMs: number): boolean;
  release(seatId: string, customerId: string, nowMs: number): boolean;
  status(seatId: string, nowMs: number): SeatStatus;
}

const HOLD_MS = 60_000;
const AVAILABLE: SeatStatus = { state: 'available' };
const held = (customerId: string, expiresAtMs: number): SeatStatus => ({ state: 'held', customerId, expiresAtMs });
const booked = (customerId: string): SeatStatus => ({ state: 'booked', customerId });

/**
 * The statement's SeatStore: a versioned row per key with compare-and-set, 0–2 ms each way, so a
 * read-then-write across an await interleaves with other calls on every run.
 */
function seatStore(ctx: TestContext) {
  const store = new KvStore(ctx, { latencyMs: 2 });
  return { store, exposed: ctx.expose(store.client({ get: 'getVersioned', compareAndSet: 'setIfVersion', set: 'set' })) };
}

const call = (method: string, ...args: Array<string | number>) =>
  `${method}(${args.map((a) => (typeof a === 'string' ? `'${a}'` : a)).join(', ')})`;

/** One API server's SeatBooking; each call checks its answer (status: the statement's fields only). */
function server(remote: Remote<SeatBooking>) {
  const act = (method: 'hold' | 'confirm' | 'release') => async (seat: string, customer: string, now: number, ok: boolean) =>
    expect(await remote[method](seat, customer, now), call(method, seat, customer, now)).toBe(ok);
  return {
    remote,
    hold: act('hold'),
    confirm: act('confirm'),
    release: act('release'),
    status: async (seat: string, now: number, want: SeatStatus) =>
      expect(await remote.status(seat, now), call('status', seat, now)).toHaveFields(want),
  };
}
type Server = ReturnType<typeof server>;

/** `count` servers over one fresh store; `store` is the test's handle on it. */
async function serversWithStore(ctx: TestContext, count: number, holdMs = HOLD_MS) {
  const { store, exposed } = seatStore(ctx);
  const list: Server[] = [];
  while (list.length < count) list.push(server(await ctx.construct<SeatBooking>('SeatBooking', exposed, { holdMs })));
  return { store, list };
}
const servers = async (ctx: TestContext, count: number, holdMs = HOLD_MS): Promise<Server[]> =>
  (await serversWithStore(ctx, count, holdMs)).list;
const booking = async (ctx: TestContext, holdMs = HOLD_MS) => (await servers(ctx, 1, holdMs))[0]!;

function countTrue(results: unknown[], what: string): number {
  for (const r of results) if (typeof r !== 'boolean') fail(`${what}: expected booleans, got ${JSON.stringify(r)}`);
  return results.filter((r) => r === true).length;
}

const correctness = [
  sample('a held seat is not available to anyone else', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 1_000, true);
    await b.status('A1', 1_000, held('alice', 61_000));
    await b.hold('A1', 'bob', 2_000, false);
    await b.status('A2', 2_000, AVAILABLE);
  }),
  sample('confirm turns your hold into a booking', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('B7', 'alice', 0, true);
    await b.confirm('B7', 'alice', 30_000, true);
    await b.status('B7', 30_000, booked('alice'));
    await b.release('B7', 'alice', 31_000, false);
    await b.hold('B7', 'bob', 500_000, false);
  }),
  sample('a hold expires holdMs after it was taken', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('C3', 'alice', 0, true);
    await b.status('C3', 59_999, held('alice', 60_000));
    await b.status('C3', 60_000, AVAILABLE);
    await b.confirm('C3', 'alice', 60_000, false);
    await b.hold('C3', 'bob', 60_000, true);
  }),
  sample('release gives the seat back', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('D4', 'alice', 100, true);
    await b.release('D4', 'alice', 200, true);
    await b.status('D4', 200, AVAILABLE);
    await b.hold('D4', 'bob', 300, true);
  }),

  test('holdMs must be a positive integer', async (ctx) => {
    const store = seatStore(ctx).exposed;
    for (const holdMs of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60000', null, true, undefined])
      await expectRejects(
        ctx.construct('SeatBooking', store, { holdMs }),
        'RangeError',
        `new SeatBooking(store, { holdMs: ${show(holdMs)} })`,
      );
    await expectRejects(ctx.construct('SeatBooking', store, {}), 'RangeError', 'new SeatBooking(store, {})');
    await expectRejects(ctx.construct('SeatBooking', store, undefined), 'RangeError', 'new SeatBooking(store, undefined)');
    await expectRejects(ctx.construct('SeatBooking', store), 'RangeError', 'new SeatBooking(store) without options');
    await ctx.construct('SeatBooking', store, { holdMs: 1 });
  }),
  test('a seat nobody touched is available', async (ctx) => {
    const b = await booking(ctx);
    await b.status('Z9', 123, AVAILABLE);
    await b.confirm('Z9', 'alice', 123, false);
    await b.release('Z9', 'alice', 123, false);
    await b.status('Z9', 124, AVAILABLE); // the failed confirm and release wrote nothing
  }),
  test('only the holder can confirm', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.confirm('A1', 'bob', 10, false);
    await b.status('A1', 10, held('alice', HOLD_MS));
    await b.confirm('A1', 'alice', 20, true);
    await b.status('A1', 20, booked('alice'));
  }),
  test('only the holder can release', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.release('A1', 'bob', 10, false);
    await b.status('A1', 10, held('alice', HOLD_MS));
    await b.hold('A1', 'bob', 11, false);
  }),
  test('an expired hold cannot be confirmed, even exactly at expiry', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 5_000, true);
    await b.confirm('A1', 'alice', 5_000 + HOLD_MS, false);
    await b.confirm('A1', 'alice', 5_000 + HOLD_MS + 1, false);
    await b.status('A1', 5_000 + HOLD_MS + 1, AVAILABLE);
  }),
  test('a hold can be confirmed one millisecond before it expires', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 5_000, true);
    await b.confirm('A1', 'alice', 5_000 + HOLD_MS - 1, true);
    await b.status('A1', 10 * HOLD_MS, booked('alice'));
  }),
  test('a late release does not free the next customer’s hold', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.hold('A1', 'bob', HOLD_MS, true); // alice's hold has just expired
    await b.release('A1', 'alice', HOLD_MS + 1, false);
    await b.status('A1', HOLD_MS + 1, held('bob', 2 * HOLD_MS));
    await b.confirm('A1', 'alice', HOLD_MS + 2, false);
    await b.confirm('A1', 'bob', HOLD_MS + 3, true);
  }),
  test('an expired hold cannot be released', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.release('A1', 'alice', HOLD_MS, false);
    await b.status('A1', HOLD_MS, AVAILABLE);
  }),
  test('holding a seat you already hold fails and does not extend the hold', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.hold('A1', 'alice', 30_000, false);
    await b.status('A1', 30_000, held('alice', HOLD_MS));
    await b.status('A1', HOLD_MS, AVAILABLE);
  }),
  test('after expiry the same customer can hold again, with a new expiry', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.hold('A1', 'alice', 70_000, true);
    await b.status('A1', 70_000, held('alice', 70_000 + HOLD_MS));
  }),
  test('a booking is final', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.confirm('A1', 'alice', 1, true);
    await b.confirm('A1', 'alice', 2, false);
    await b.confirm('A1', 'bob', 3, false);
    await b.release('A1', 'bob', 4, false);
    await b.hold('A1', 'bob', 100 * HOLD_MS, false);
    await b.status('A1', 100 * HOLD_MS, booked('alice'));
  }),
  test('seats are independent', async (ctx) => {
    const b = await booking(ctx);
    await b.hold('A1', 'alice', 0, true);
    await b.hold('A2', 'bob', 0, true);
    await b.hold('A3', 'alice', 0, true);
    await b.confirm('A1', 'alice', 1, true);
    await b.release('A3', 'alice', 2, true);
    await b.status('A1', 3, booked('alice'));
    await b.status('A2', 3, held('bob', HOLD_MS));
    await b.status('A3', 3, AVAILABLE);
  }),
  test('holdMs comes from the options', async (ctx) => {
    const b = await booking(ctx, 250);
    await b.hold('A1', 'alice', 1_000, true);
    await b.status('A1', 1_249, held('alice', 1_250));
    await b.status('A1', 1_250, AVAILABLE);
  }),
  test('servers sharing the store see each other’s holds and bookings', async (ctx) => {
    const [one, two] = (await servers(ctx, 2)) as [Server, Server];
    await one.hold('A1', 'alice', 0, true);
    await two.status('A1', 1, held('alice', HOLD_MS));
    await two.hold('A1', 'bob', 2, false);
    await two.confirm('A1', 'alice', 3, true);
    await one.status('A1', 4, booked('alice'));
    await two.hold('A2', 'carol', 5, true);
    await one.release('A2', 'carol', 6, true);
    await two.hold('A2', 'dave', 7, true);
  }),
];

// ---- stress: every call of a burst in flight at once, spread over servers sharing the store ----

/**
 * Alice holds 'S1' from 0. Server one's `method` call for alice at HOLD_MS - 1 (her hold still
 * live) reads the seat; between that read and its answer, server two's hold for bob at HOLD_MS
 * (alice's hold has expired there) takes the seat. Whatever alice's call writes next, bob must
 * keep the seat he was told he got: alice's call resolves false and changes nothing.
 */
async function overtakenByLateHold(ctx: TestContext, method: 'confirm' | 'release'): Promise<void> {
  const { store, list } = await serversWithStore(ctx, 2);
  const [one, two] = list as [Server, Server];
  await one.hold('S1', 'alice', 0, true);
  let bobHeld = false;
  store.onceAfter(
    'getVersioned',
    (result) => (result as { value?: { customerId?: string } | null }).value?.customerId === 'alice',
    async () => {
      await two.hold('S1', 'bob', HOLD_MS, true);
      bobHeld = true;
    },
  );
  const answer = await one.remote[method]('S1', 'alice', HOLD_MS - 1);
  if (!bobHeld) fail(`${method}('S1', 'alice', ${HOLD_MS - 1}) never read the seat from the store`);
  expect(answer, `${call(method, 'S1', 'alice', HOLD_MS - 1)} overtaken by bob's hold at ${HOLD_MS}`).toBe(false);
  await two.status('S1', HOLD_MS + 1, held('bob', 2 * HOLD_MS));
  await one.hold('S1', 'carol', HOLD_MS + 2, false);
  await two.confirm('S1', 'bob', HOLD_MS + 3, true);
  await one.status('S1', HOLD_MS + 4, booked('bob'));
}

const stress = [
  test('200 customers race for one seat: exactly one gets it', async (ctx) => {
    const list = await servers(ctx, 4);
    const customers = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const results = await Promise.all(customers.map((c, i) => list[i % 4]!.remote.hold('S1', c, 1_000)));
    expect(countTrue(results, 'hold results'), 'successful holds').toBe(1);
    await list[0]!.status('S1', 1_001, held(customers[results.indexOf(true)]!, 1_000 + HOLD_MS));
  }),
  test('200 customers race for a seat whose hold just expired: exactly one gets it', async (ctx) => {
    const list = await servers(ctx, 4);
    await list[0]!.hold('S1', 'early', 0, true);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => list[i % 4]!.remote.hold('S1', `c${i}`, HOLD_MS + (i % 5))));
    expect(countTrue(results, 'hold results'), 'successful holds').toBe(1);
  }),
  test('30 seats, 20 customers each, all at once: one winner per seat', async (ctx) => {
    const list = await servers(ctx, 3);
    const attempts: { seat: string; customer: string }[] = [];
    for (let s = 0; s < 30; s++) for (let c = 0; c < 20; c++) attempts.push({ seat: `R${s}`, customer: `u${s}-${c}` });
    const order = ctx.rng.shuffle(attempts);
    const results = await Promise.all(order.map((a, i) => list[i % 3]!.remote.hold(a.seat, a.customer, 10)));
    countTrue(results, 'hold results');
    const perSeat = new Map<string, number>();
    order.forEach((a, i) => results[i] === true && perSeat.set(a.seat, (perSeat.get(a.seat) ?? 0) + 1));
    for (let s = 0; s < 30; s++) expect(perSeat.get(`R${s}`) ?? 0, `successful holds on seat R${s}`).toBe(1);
  }),
  test('a confirm racing 100 late holds: exactly one of them succeeds', async (ctx) => {
    const list = await servers(ctx, 4);
    await list[0]!.hold('S1', 'alice', 0, true);
    const calls: Promise<boolean>[] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 50) calls.push(list[1]!.remote.confirm('S1', 'alice', HOLD_MS - 1));
      calls.push(list[i % 4]!.remote.hold('S1', `late${i}`, HOLD_MS + 1));
    }
    const results = await Promise.all(calls);
    expect(countTrue(results, 'results'), 'successful calls (the confirm and the holds together)').toBe(1);
    const final = (await list[2]!.remote.status('S1', HOLD_MS + 2)) as { state?: string } | null;
    expect(final?.state, 'final state').toBe(results[50] === true ? 'booked' : 'held');
  }),
  test('the holder releasing while 100 others try: at most one of them gets the seat', async (ctx) => {
    const list = await servers(ctx, 4);
    await list[0]!.hold('S1', 'alice', 0, true);
    const holds = Array.from({ length: 100 }, (_, i) => list[i % 4]!.remote.hold('S1', `o${i}`, 10));
    const release = list[3]!.remote.release('S1', 'alice', 10);
    const holdResults = await Promise.all(holds);
    expect(await release, 'alice’s release').toBe(true);
    const won = countTrue(holdResults, 'hold results');
    if (won > 1) fail(`${won} customers got the seat after alice released it; at most one may`);
    const again = await Promise.all(Array.from({ length: 100 }, (_, i) => list[i % 4]!.remote.hold('S1', `p${i}`, 20)));
    expect(won + countTrue(again, 'second wave'), 'holds that succeeded over both waves').toBe(1);
  }),
  test('a release read just before expiry and overtaken by a hold just after it frees nothing', (ctx) =>
    overtakenByLateHold(ctx, 'release')),
  test('a confirm read just before expiry and overtaken by a hold just after it books nothing', (ctx) =>
    overtakenByLateHold(ctx, 'confirm')),
];

export default defineSuites({ correctness, stress });
