import { defineSuites, expect, expectRejects, fail, sample, test, type TestContext } from '@assay/sdk';

/**
 * The driver-owned store the candidate's SeatBooking talks to: a versioned key-value store with
 * compare-and-set, like a database row with a version column seen from one of many API servers.
 * Every call takes 0–2 ms on the way in and 0–2 ms on the way back, so a read-then-write across
 * an await interleaves with other calls on every run.
 */
interface Entry {
  value: unknown;
  version: number;
}

function jitter(ctx: TestContext): Promise<void> {
  return ctx.sleep(ctx.rng.int(0, 2));
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`store key must be a string, got ${typeof key}`);
  return key;
}

function checkValue(value: unknown): unknown {
  if (value === undefined) throw new TypeError('store value must be a record or null, got undefined');
  return value === null ? null : JSON.parse(JSON.stringify(value));
}

class SeatStore {
  readonly #ctx: TestContext;
  readonly #data = new Map<string, Entry>();

  constructor(ctx: TestContext) {
    this.#ctx = ctx;
  }

  async get(key: string): Promise<{ value: unknown; version: number }> {
    checkKey(key);
    await jitter(this.#ctx);
    const e = this.#data.get(key);
    const snapshot = { value: e ? structuredClone(e.value) : null, version: e?.version ?? 0 };
    await jitter(this.#ctx);
    return snapshot;
  }

  async compareAndSet(key: string, expectedVersion: number, value: unknown): Promise<boolean> {
    checkKey(key);
    if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion))
      throw new TypeError(`expectedVersion must be an integer, got ${String(expectedVersion)}`);
    const v = checkValue(value);
    await jitter(this.#ctx);
    const current = this.#data.get(key)?.version ?? 0;
    const written = current === expectedVersion;
    if (written) this.#data.set(key, { value: v, version: current + 1 });
    await jitter(this.#ctx);
    return written;
  }

  async set(key: string, value: unknown): Promise<void> {
    checkKey(key);
    const v = checkValue(value);
    await jitter(this.#ctx);
    const current = this.#data.get(key)?.version ?? 0;
    this.#data.set(key, { value: v, version: current + 1 });
    await jitter(this.#ctx);
  }
}

const HOLD_MS = 60_000;

interface Setup {
  store: SeatStore;
  booking: Server;
  /** Another API server over the same store. */
  server(): Promise<Server>;
}

interface Server {
  hold(seat: string, customer: string, now: number): Promise<unknown>;
  confirm(seat: string, customer: string, now: number): Promise<unknown>;
  release(seat: string, customer: string, now: number): Promise<unknown>;
  status(seat: string, now: number): Promise<unknown>;
}

async function setup(ctx: TestContext, holdMs = HOLD_MS): Promise<Setup> {
  const store = new SeatStore(ctx);
  const exposed = ctx.expose(store);
  const server = async (): Promise<Server> => {
    const obj = await ctx.subject.construct('SeatBooking', exposed, { holdMs });
    return {
      hold: (s, c, n) => obj.call('hold', s, c, n),
      confirm: (s, c, n) => obj.call('confirm', s, c, n),
      release: (s, c, n) => obj.call('release', s, c, n),
      status: (s, n) => obj.call('status', s, n),
    };
  };
  return { store, booking: await server(), server };
}

type Status = { state: 'available' } | { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

/** Compares the fields the statement defines (extra fields are tolerated). */
function expectStatus(actual: unknown, expected: Status, what: string): void {
  if (typeof actual !== 'object' || actual === null)
    fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`, expected, actual);
  const picked: Record<string, unknown> = {};
  for (const k of Object.keys(expected)) picked[k] = (actual as Record<string, unknown>)[k];
  expect(picked, what).toEqual(expected);
}

function countTrue(results: unknown[], what: string): number {
  for (const r of results) if (typeof r !== 'boolean') fail(`${what}: expected booleans, got ${JSON.stringify(r)}`);
  return results.filter((r) => r === true).length;
}

const correctness = [
  sample('a held seat is not available to anyone else', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 1_000), "hold('A1', 'alice', 1000)").toBe(true);
    expectStatus(await booking.status('A1', 1_000), { state: 'held', customerId: 'alice', expiresAtMs: 61_000 }, "status('A1', 1000)");
    expect(await booking.hold('A1', 'bob', 2_000), "hold('A1', 'bob', 2000)").toBe(false);
    expectStatus(await booking.status('A2', 2_000), { state: 'available' }, "status('A2', 2000)");
  }),
  sample('confirm turns your hold into a booking', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('B7', 'alice', 0), "hold('B7', 'alice', 0)").toBe(true);
    expect(await booking.confirm('B7', 'alice', 30_000), "confirm('B7', 'alice', 30000)").toBe(true);
    expectStatus(await booking.status('B7', 30_000), { state: 'booked', customerId: 'alice' }, "status('B7', 30000)");
    expect(await booking.release('B7', 'alice', 31_000), "release('B7', 'alice', 31000)").toBe(false);
    expect(await booking.hold('B7', 'bob', 500_000), "hold('B7', 'bob', 500000)").toBe(false);
  }),
  sample('a hold expires holdMs after it was taken', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('C3', 'alice', 0), "hold('C3', 'alice', 0)").toBe(true);
    expectStatus(await booking.status('C3', 59_999), { state: 'held', customerId: 'alice', expiresAtMs: 60_000 }, "status('C3', 59999)");
    expectStatus(await booking.status('C3', 60_000), { state: 'available' }, "status('C3', 60000)");
    expect(await booking.confirm('C3', 'alice', 60_000), "confirm('C3', 'alice', 60000)").toBe(false);
    expect(await booking.hold('C3', 'bob', 60_000), "hold('C3', 'bob', 60000)").toBe(true);
  }),
  sample('release gives the seat back', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('D4', 'alice', 100), "hold('D4', 'alice', 100)").toBe(true);
    expect(await booking.release('D4', 'alice', 200), "release('D4', 'alice', 200)").toBe(true);
    expectStatus(await booking.status('D4', 200), { state: 'available' }, "status('D4', 200)");
    expect(await booking.hold('D4', 'bob', 300), "hold('D4', 'bob', 300)").toBe(true);
  }),

  test('holdMs must be a positive integer', async (ctx) => {
    const store = ctx.expose(new SeatStore(ctx));
    for (const holdMs of [0, -5, 1.5, Number.NaN])
      await expectRejects(
        ctx.subject.construct('SeatBooking', store, { holdMs }),
        'RangeError',
        `new SeatBooking(store, { holdMs: ${holdMs} })`,
      );
    await ctx.subject.construct('SeatBooking', store, { holdMs: 1 });
  }),
  test('a seat nobody touched is available', async (ctx) => {
    const { booking } = await setup(ctx);
    expectStatus(await booking.status('Z9', 123), { state: 'available' }, 'status');
    expect(await booking.confirm('Z9', 'alice', 123), 'confirm without a hold').toBe(false);
    expect(await booking.release('Z9', 'alice', 123), 'release without a hold').toBe(false);
    expectStatus(await booking.status('Z9', 124), { state: 'available' }, 'status after failed confirm/release');
  }),
  test('only the holder can confirm', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'alice holds').toBe(true);
    expect(await booking.confirm('A1', 'bob', 10), 'bob confirms alice’s hold').toBe(false);
    expectStatus(
      await booking.status('A1', 10),
      { state: 'held', customerId: 'alice', expiresAtMs: HOLD_MS },
      'status after bob’s confirm',
    );
    expect(await booking.confirm('A1', 'alice', 20), 'alice confirms').toBe(true);
    expectStatus(await booking.status('A1', 20), { state: 'booked', customerId: 'alice' }, 'status');
  }),
  test('only the holder can release', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'alice holds').toBe(true);
    expect(await booking.release('A1', 'bob', 10), 'bob releases alice’s hold').toBe(false);
    expectStatus(
      await booking.status('A1', 10),
      { state: 'held', customerId: 'alice', expiresAtMs: HOLD_MS },
      'status after bob’s release',
    );
    expect(await booking.hold('A1', 'bob', 11), 'bob holds').toBe(false);
  }),
  test('an expired hold cannot be confirmed, even exactly at expiry', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 5_000), 'hold').toBe(true);
    expect(await booking.confirm('A1', 'alice', 5_000 + HOLD_MS), 'confirm at expiresAtMs').toBe(false);
    expect(await booking.confirm('A1', 'alice', 5_000 + HOLD_MS + 1), 'confirm after expiry').toBe(false);
    expectStatus(await booking.status('A1', 5_000 + HOLD_MS + 1), { state: 'available' }, 'status');
  }),
  test('a hold can be confirmed one millisecond before it expires', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 5_000), 'hold').toBe(true);
    expect(await booking.confirm('A1', 'alice', 5_000 + HOLD_MS - 1), 'confirm 1 ms before expiry').toBe(true);
    expectStatus(await booking.status('A1', 10 * HOLD_MS), { state: 'booked', customerId: 'alice' }, 'status long after');
  }),
  test('a late release does not free the next customer’s hold', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'alice holds').toBe(true);
    expect(await booking.hold('A1', 'bob', HOLD_MS), 'bob holds after alice’s hold expired').toBe(true);
    expect(await booking.release('A1', 'alice', HOLD_MS + 1), 'alice releases her expired hold').toBe(false);
    expectStatus(await booking.status('A1', HOLD_MS + 1), { state: 'held', customerId: 'bob', expiresAtMs: 2 * HOLD_MS }, 'status');
    expect(await booking.confirm('A1', 'alice', HOLD_MS + 2), 'alice confirms').toBe(false);
    expect(await booking.confirm('A1', 'bob', HOLD_MS + 3), 'bob confirms').toBe(true);
  }),
  test('an expired hold cannot be released', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'hold').toBe(true);
    expect(await booking.release('A1', 'alice', HOLD_MS), 'release at expiry').toBe(false);
    expectStatus(await booking.status('A1', HOLD_MS), { state: 'available' }, 'status');
  }),
  test('holding a seat you already hold fails and does not extend the hold', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'first hold').toBe(true);
    expect(await booking.hold('A1', 'alice', 30_000), 'second hold by the same customer').toBe(false);
    expectStatus(await booking.status('A1', 30_000), { state: 'held', customerId: 'alice', expiresAtMs: HOLD_MS }, 'status');
    expectStatus(await booking.status('A1', HOLD_MS), { state: 'available' }, 'status at the original expiry');
  }),
  test('after expiry the same customer can hold again, with a new expiry', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'first hold').toBe(true);
    expect(await booking.hold('A1', 'alice', 70_000), 'hold again after expiry').toBe(true);
    expectStatus(await booking.status('A1', 70_000), { state: 'held', customerId: 'alice', expiresAtMs: 70_000 + HOLD_MS }, 'status');
  }),
  test('a booking is final', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'hold').toBe(true);
    expect(await booking.confirm('A1', 'alice', 1), 'confirm').toBe(true);
    expect(await booking.confirm('A1', 'alice', 2), 'confirm again').toBe(false);
    expect(await booking.confirm('A1', 'bob', 3), 'bob confirms').toBe(false);
    expect(await booking.release('A1', 'bob', 4), 'bob releases').toBe(false);
    expect(await booking.hold('A1', 'bob', 100 * HOLD_MS), 'bob holds much later').toBe(false);
    expectStatus(await booking.status('A1', 100 * HOLD_MS), { state: 'booked', customerId: 'alice' }, 'status much later');
  }),
  test('seats are independent', async (ctx) => {
    const { booking } = await setup(ctx);
    expect(await booking.hold('A1', 'alice', 0), 'alice holds A1').toBe(true);
    expect(await booking.hold('A2', 'bob', 0), 'bob holds A2').toBe(true);
    expect(await booking.hold('A3', 'alice', 0), 'alice holds A3').toBe(true);
    expect(await booking.confirm('A1', 'alice', 1), 'alice confirms A1').toBe(true);
    expect(await booking.release('A3', 'alice', 2), 'alice releases A3').toBe(true);
    expectStatus(await booking.status('A1', 3), { state: 'booked', customerId: 'alice' }, 'A1');
    expectStatus(await booking.status('A2', 3), { state: 'held', customerId: 'bob', expiresAtMs: HOLD_MS }, 'A2');
    expectStatus(await booking.status('A3', 3), { state: 'available' }, 'A3');
  }),
  test('holdMs comes from the options', async (ctx) => {
    const { booking } = await setup(ctx, 250);
    expect(await booking.hold('A1', 'alice', 1_000), 'hold').toBe(true);
    expectStatus(await booking.status('A1', 1_249), { state: 'held', customerId: 'alice', expiresAtMs: 1_250 }, 'status at 1249');
    expectStatus(await booking.status('A1', 1_250), { state: 'available' }, 'status at 1250');
  }),
  test('servers sharing the store see each other’s holds and bookings', async (ctx) => {
    const { booking: one, server } = await setup(ctx);
    const two = await server();
    expect(await one.hold('A1', 'alice', 0), 'alice holds through server 1').toBe(true);
    expectStatus(await two.status('A1', 1), { state: 'held', customerId: 'alice', expiresAtMs: HOLD_MS }, 'status on server 2');
    expect(await two.hold('A1', 'bob', 2), 'bob holds through server 2').toBe(false);
    expect(await two.confirm('A1', 'alice', 3), 'alice confirms through server 2').toBe(true);
    expectStatus(await one.status('A1', 4), { state: 'booked', customerId: 'alice' }, 'status on server 1');
    expect(await two.hold('A2', 'carol', 5), 'carol holds A2 through server 2').toBe(true);
    expect(await one.release('A2', 'carol', 6), 'carol releases A2 through server 1').toBe(true);
    expect(await two.hold('A2', 'dave', 7), 'dave holds A2 through server 2').toBe(true);
  }),
];

/** Sends every call at once, spread over several servers sharing one store. */
async function servers(ctx: TestContext, count: number): Promise<{ store: SeatStore; list: Server[] }> {
  const s = await setup(ctx);
  const list = [s.booking];
  while (list.length < count) list.push(await s.server());
  return { store: s.store, list };
}

const stress = [
  test('200 customers race for one seat: exactly one gets it', async (ctx) => {
    const { list } = await servers(ctx, 4);
    const customers = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const results = await Promise.all(customers.map((c, i) => list[i % list.length]!.hold('S1', c, 1_000)));
    const winners = customers.filter((_, i) => results[i] === true);
    expect(countTrue(results, 'hold results'), 'successful holds').toBe(1);
    expectStatus(await list[0]!.status('S1', 1_001), { state: 'held', customerId: winners[0]!, expiresAtMs: 1_000 + HOLD_MS }, 'status');
  }),
  test('200 customers race for a seat whose hold just expired: exactly one gets it', async (ctx) => {
    const { list } = await servers(ctx, 4);
    expect(await list[0]!.hold('S1', 'early', 0), 'first hold').toBe(true);
    const customers = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const results = await Promise.all(customers.map((c, i) => list[i % list.length]!.hold('S1', c, HOLD_MS + (i % 5))));
    expect(countTrue(results, 'hold results'), 'successful holds').toBe(1);
  }),
  test('30 seats, 20 customers each, all at once: one winner per seat', async (ctx) => {
    const { list } = await servers(ctx, 3);
    const attempts: { seat: string; customer: string }[] = [];
    for (let s = 0; s < 30; s++) for (let c = 0; c < 20; c++) attempts.push({ seat: `R${s}`, customer: `u${s}-${c}` });
    const order = ctx.rng.shuffle(attempts);
    const results = await Promise.all(order.map((a, i) => list[i % list.length]!.hold(a.seat, a.customer, 10)));
    countTrue(results, 'hold results');
    const perSeat = new Map<string, number>();
    order.forEach((a, i) => {
      if (results[i] === true) perSeat.set(a.seat, (perSeat.get(a.seat) ?? 0) + 1);
    });
    for (let s = 0; s < 30; s++) expect(perSeat.get(`R${s}`) ?? 0, `successful holds on seat R${s}`).toBe(1);
  }),
  test('a confirm racing 100 late holds: exactly one of them succeeds', async (ctx) => {
    const { list } = await servers(ctx, 4);
    expect(await list[0]!.hold('S1', 'alice', 0), 'alice holds').toBe(true);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 50) calls.push(list[1]!.confirm('S1', 'alice', HOLD_MS - 1));
      calls.push(list[i % list.length]!.hold('S1', `late${i}`, HOLD_MS + 1));
    }
    const results = await Promise.all(calls);
    expect(countTrue(results, 'results'), 'successful calls (the confirm and the holds together)').toBe(1);
    const st = (await list[2]!.status('S1', HOLD_MS + 2)) as { state?: string };
    const confirmWon = results[50] === true;
    expect(st?.state, 'final state').toBe(confirmWon ? 'booked' : 'held');
  }),
  test('the holder releasing while 100 others try: at most one of them gets the seat', async (ctx) => {
    const { list } = await servers(ctx, 4);
    expect(await list[0]!.hold('S1', 'alice', 0), 'alice holds').toBe(true);
    const holds = Array.from({ length: 100 }, (_, i) => list[i % list.length]!.hold('S1', `o${i}`, 10));
    const release = list[3]!.release('S1', 'alice', 10);
    const holdResults = await Promise.all(holds);
    expect(await release, 'alice’s release').toBe(true);
    const won = countTrue(holdResults, 'hold results');
    if (won > 1) fail(`${won} customers got the seat after alice released it; at most one may`);
    const again = await Promise.all(Array.from({ length: 100 }, (_, i) => list[i % list.length]!.hold('S1', `p${i}`, 20)));
    expect(won + countTrue(again, 'second wave'), 'holds that succeeded over both waves').toBe(1);
  }),
];

export default defineSuites({ correctness, stress });
