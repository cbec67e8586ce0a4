import { defineSuites, expect, expectRejects, fail, sample, test, type RemoteObject, type TestContext } from '@assay/sdk';

/**
 * The driver-owned store: Redis-like strings with expiry (SET NX PX, compare-and-delete, ...)
 * on a clock the test controls. Every call takes 0–2 ms on the way in and 0–2 ms on the way
 * back, so a read-then-write across an await interleaves with other calls on every run.
 */
class Clock {
  now = 1_000_000;
}

interface Entry {
  value: string | number;
  /** Absent for keys without a ttl (counters). */
  expiresAt?: number;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${typeof key}`);
  return key;
}
function checkValue(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`value must be a string, got ${typeof value}`);
  return value;
}
function checkTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1)
    throw new RangeError(`ttlMs must be an integer >= 1, got ${String(ttlMs)}`);
  return ttlMs;
}

class LockStore {
  readonly #ctx: TestContext;
  readonly #clock: Clock;
  readonly #data = new Map<string, Entry>();
  /** Test hook: runs once, inside the first `get` that is about to return this value. */
  #onGet: { value: string; run: () => Promise<void> } | undefined;

  constructor(ctx: TestContext, clock: Clock) {
    this.#ctx = ctx;
    this.#clock = clock;
  }

  /** Static so it is not one of the methods the candidate can call. */
  static armGetHook(store: LockStore, value: string, run: () => Promise<void>): void {
    store.#onGet = { value, run };
  }

  #live(key: string): Entry | undefined {
    const e = this.#data.get(key);
    if (e && e.expiresAt !== undefined && this.#clock.now >= e.expiresAt) {
      this.#data.delete(key);
      return undefined;
    }
    return e;
  }

  #jitter(): Promise<void> {
    return this.#ctx.sleep(this.#ctx.rng.int(0, 2));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkKey(key);
    checkValue(value);
    checkTtl(ttlMs);
    await this.#jitter();
    const ok = this.#live(key) === undefined;
    if (ok) this.#data.set(key, { value, expiresAt: this.#clock.now + ttlMs });
    await this.#jitter();
    return ok;
  }

  async get(key: string): Promise<string | number | null> {
    checkKey(key);
    await this.#jitter();
    const value = this.#live(key)?.value ?? null;
    const hook = this.#onGet;
    if (hook && value === hook.value) {
      this.#onGet = undefined;
      await hook.run();
    }
    await this.#jitter();
    return value;
  }

  async deleteIfEquals(key: string, expected: string): Promise<boolean> {
    checkKey(key);
    checkValue(expected);
    await this.#jitter();
    const e = this.#live(key);
    const ok = e !== undefined && e.value === expected;
    if (ok) this.#data.delete(key);
    await this.#jitter();
    return ok;
  }

  async expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean> {
    checkKey(key);
    checkValue(expected);
    checkTtl(ttlMs);
    await this.#jitter();
    const e = this.#live(key);
    const ok = e !== undefined && e.value === expected;
    if (ok) e.expiresAt = this.#clock.now + ttlMs;
    await this.#jitter();
    return ok;
  }

  async incr(key: string): Promise<number> {
    checkKey(key);
    await this.#jitter();
    const e = this.#live(key);
    if (e && typeof e.value !== 'number') throw new TypeError(`key ${key} does not hold a counter`);
    const value = ((e?.value as number | undefined) ?? 0) + 1;
    this.#data.set(key, { value });
    await this.#jitter();
    return value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkKey(key);
    checkValue(value);
    checkTtl(ttlMs);
    await this.#jitter();
    this.#data.set(key, { value, expiresAt: this.#clock.now + ttlMs });
    await this.#jitter();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.#jitter();
    this.#data.delete(key);
    await this.#jitter();
  }
}

interface Lease {
  resource: string;
  token: string;
  fencingToken: number;
}

interface World {
  clock: Clock;
  store: LockStore;
  /** A new DistributedLock (another process) over the same store. */
  instance(): Promise<RemoteObject>;
}

async function world(ctx: TestContext): Promise<World> {
  const clock = new Clock();
  const store = new LockStore(ctx, clock);
  const exposed = ctx.expose(store);
  return { clock, store, instance: () => ctx.subject.construct('DistributedLock', exposed) };
}

function asLease(v: unknown, resource: string, what: string): Lease {
  const l = v as Partial<Lease> | null;
  if (typeof l !== 'object' || l === null) fail(`${what}: expected a lease object, got ${JSON.stringify(v)}`, 'a lease', v);
  if (l.resource !== resource)
    fail(`${what}: lease.resource should be ${JSON.stringify(resource)}, got ${JSON.stringify(l.resource)}`, resource, l.resource);
  if (typeof l.token !== 'string' || l.token.length === 0)
    fail(`${what}: lease.token should be a non-empty string, got ${JSON.stringify(l.token)}`, 'a non-empty string', l.token);
  if (typeof l.fencingToken !== 'number' || !Number.isSafeInteger(l.fencingToken) || l.fencingToken < 1)
    fail(
      `${what}: lease.fencingToken should be a positive integer, got ${JSON.stringify(l.fencingToken)}`,
      'a positive integer',
      l.fencingToken,
    );
  return l as Lease;
}

async function acquire(lock: RemoteObject, resource: string, ttlMs: number, what: string): Promise<Lease> {
  return asLease(await lock.call('tryAcquire', resource, ttlMs), resource, what);
}

async function refused(lock: RemoteObject, resource: string, ttlMs: number, what: string): Promise<void> {
  expect(await lock.call('tryAcquire', resource, ttlMs), what).toBe(null);
}

const correctness = [
  sample('a held lock refuses everyone else until it is released', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const first = await acquire(lock, 'orders', 10_000, "tryAcquire('orders', 10000)");
    await refused(lock, 'orders', 10_000, "second tryAcquire('orders', 10000) while held");
    expect(await lock.call('release', first), 'release(first)').toBe(true);
    const second = await acquire(lock, 'orders', 10_000, "tryAcquire('orders', 10000) after release");
    if (second.fencingToken <= first.fencingToken)
      fail(
        `fencing tokens must increase: first ${first.fencingToken}, then ${second.fencingToken}`,
        `> ${first.fencingToken}`,
        second.fencingToken,
      );
    if (second.token === first.token) fail('two acquisitions got the same owner token', 'different tokens', second.token);
  }),
  sample('a lock expires ttlMs after it was taken', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    await acquire(lock, 'report', 5_000, "tryAcquire('report', 5000)");
    clock.now += 4_999;
    await refused(lock, 'report', 5_000, 'tryAcquire 4999 ms later');
    clock.now += 1;
    await acquire(lock, 'report', 5_000, 'tryAcquire 5000 ms later');
  }),
  sample('only the owner can release', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'inventory', 1_000, 'A: tryAcquire');
    clock.now += 1_000;
    const b = await acquire(lock, 'inventory', 1_000, 'B: tryAcquire after A’s lease expired');
    expect(await lock.call('release', a), 'A: release(its expired lease)').toBe(false);
    await refused(lock, 'inventory', 1_000, 'C: tryAcquire while B holds');
    expect(await lock.call('release', b), 'B: release').toBe(true);
  }),

  test('ttlMs must be a positive integer', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    for (const ttl of [0, -1, 1.5, Number.NaN])
      await expectRejects(lock.call('tryAcquire', 'r', ttl), 'RangeError', `tryAcquire('r', ${ttl})`);
    const lease = await acquire(lock, 'r', 1_000, 'tryAcquire');
    for (const ttl of [0, -1, 2.5]) await expectRejects(lock.call('extend', lease, ttl), 'RangeError', `extend(lease, ${ttl})`);
  }),
  test('a lease describes the acquisition', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const lease = await acquire(lock, 'payments:eu', 30_000, 'tryAcquire');
    expect(lease.resource, 'lease.resource').toBe('payments:eu');
  }),
  test('resources are independent', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'a', 10_000, "tryAcquire('a')");
    const b = await acquire(lock, 'b', 10_000, "tryAcquire('b') while 'a' is held");
    expect(await lock.call('release', a), "release 'a'").toBe(true);
    await refused(lock, 'b', 10_000, "tryAcquire('b') after releasing 'a'");
    expect(await lock.call('release', b), "release 'b'").toBe(true);
  }),
  test('the lock lives in the store: another instance sees it', async (ctx) => {
    const { instance } = await world(ctx);
    const one = await instance();
    const two = await instance();
    const lease = await acquire(one, 'job', 10_000, 'instance 1: tryAcquire');
    await refused(two, 'job', 10_000, 'instance 2: tryAcquire while instance 1 holds');
    expect(await two.call('release', lease), 'instance 2: release(instance 1’s lease)').toBe(true);
    await acquire(two, 'job', 10_000, 'instance 2: tryAcquire after release');
  }),
  test('owner tokens are unique across instances', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const one = await instance();
    const two = await instance();
    const a = await acquire(one, 'cart', 1_000, 'instance 1: tryAcquire');
    clock.now += 1_000;
    const b = await acquire(two, 'cart', 1_000, 'instance 2: tryAcquire after instance 1’s lease expired');
    if (a.token === b.token)
      fail(`two acquisitions from different instances got the same owner token ${JSON.stringify(a.token)}`, 'different tokens', b.token);
    expect(await one.call('release', a), 'instance 1: release(its expired lease)').toBe(false);
    await refused(one, 'cart', 1_000, 'instance 1: tryAcquire while instance 2 holds');
    const tokens = new Set([a.token, b.token]);
    const three = await instance();
    for (let i = 0; i < 12; i++) {
      const inst = [one, two, three][i % 3]!;
      clock.now += 1_000;
      const l = await acquire(inst, 'cart', 1_000, `acquisition ${i + 3}`);
      if (tokens.has(l.token)) fail(`owner token ${JSON.stringify(l.token)} was handed out twice`, 'a fresh token', l.token);
      tokens.add(l.token);
    }
  }),
  test('fencing tokens increase across instances', async (ctx) => {
    const { instance } = await world(ctx);
    const one = await instance();
    const two = await instance();
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const inst = i % 3 === 1 ? two : one;
      const l = await acquire(inst, 'ledger', 10_000, `acquisition ${i + 1} (instance ${i % 3 === 1 ? 2 : 1})`);
      if (l.fencingToken <= last)
        fail(`fencing token ${l.fencingToken} after ${last}: it must keep increasing`, `> ${last}`, l.fencingToken);
      last = l.fencingToken;
      expect(await inst.call('release', l), 'release').toBe(true);
    }
  }),
  test('fencing tokens increase when a lease expires instead of being released', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    let last = 0;
    for (let i = 0; i < 4; i++) {
      const l = await acquire(lock, 'ledger', 500, `acquisition ${i + 1}`);
      if (l.fencingToken <= last) fail(`fencing token ${l.fencingToken} after ${last}`, `> ${last}`, l.fencingToken);
      last = l.fencingToken;
      clock.now += 500;
    }
  }),
  test('release twice: the second call returns false', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const l = await acquire(lock, 'x', 10_000, 'tryAcquire');
    expect(await lock.call('release', l), 'first release').toBe(true);
    expect(await lock.call('release', l), 'second release').toBe(false);
  }),
  test('a stale lease cannot release the next holder’s lock', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 10_000, 'A: tryAcquire');
    expect(await lock.call('release', a), 'A: release').toBe(true);
    const b = await acquire(lock, 'x', 10_000, 'B: tryAcquire');
    expect(await lock.call('release', a), 'A: release again').toBe(false);
    await refused(lock, 'x', 10_000, 'C: tryAcquire while B holds');
    expect(await lock.call('release', b), 'B: release').toBe(true);
  }),
  test('a forged lease (right resource, wrong token) releases nothing', async (ctx) => {
    const { instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 10_000, 'tryAcquire');
    expect(await lock.call('release', { ...a, token: `${a.token}-not` }), 'release(forged lease)').toBe(false);
    expect(await lock.call('extend', { ...a, token: `${a.token}-not` }, 10_000), 'extend(forged lease)').toBe(false);
    await refused(lock, 'x', 10_000, 'tryAcquire after the forged release');
  }),
  test('releasing an expired lease returns false', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 2_000, 'tryAcquire');
    clock.now += 2_000;
    expect(await lock.call('release', a), 'release after expiry').toBe(false);
    await acquire(lock, 'x', 2_000, 'tryAcquire after expiry');
  }),
  test('extend keeps the lock for ttlMs from now', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 1_000, 'tryAcquire');
    clock.now += 900;
    expect(await lock.call('extend', a, 1_000), 'extend 900 ms later').toBe(true);
    clock.now += 999;
    await refused(lock, 'x', 1_000, 'tryAcquire 999 ms after the extend');
    clock.now += 1;
    await acquire(lock, 'x', 1_000, 'tryAcquire 1000 ms after the extend');
  }),
  test('an expired lease cannot be extended, and does not touch the next holder', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 1_000, 'A: tryAcquire');
    clock.now += 1_000;
    expect(await lock.call('extend', a, 60_000), 'A: extend after expiry (nobody holds it)').toBe(false);
    const b = await acquire(lock, 'x', 1_000, 'B: tryAcquire');
    expect(await lock.call('extend', a, 60_000), 'A: extend while B holds').toBe(false);
    clock.now += 1_000;
    await acquire(lock, 'x', 1_000, 'C: tryAcquire once B’s lease expired');
    expect(await lock.call('release', b), 'B: release after its lease expired').toBe(false);
  }),
];

const stress = [
  test('200 concurrent acquirers: exactly one gets the lock', async (ctx) => {
    const { instance } = await world(ctx);
    const locks = [await instance(), await instance(), await instance(), await instance()];
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => locks[i % 4]!.call('tryAcquire', 'hot', 60_000)));
    const leases = results.filter((r) => r !== null);
    expect(leases.length, 'leases granted').toBe(1);
    asLease(leases[0], 'hot', 'the lease');
  }),
  test('40 workers contend in rounds: never two holders, fencing tokens increase', async (ctx) => {
    const { instance } = await world(ctx);
    const locks = [await instance(), await instance(), await instance()];
    let holder: string | null = null;
    let overlaps = 0;
    let granted = 0;
    const fencing: number[] = [];
    const tokens = new Set<string>();
    const problems: string[] = [];
    const worker = async (w: number) => {
      const lock = locks[w % locks.length]!;
      for (let round = 0; round < 8; round++) {
        const got = await lock.call('tryAcquire', 'shared', 60_000);
        if (got === null) {
          await ctx.sleep(ctx.rng.int(0, 3));
          continue;
        }
        const lease = asLease(got, 'shared', 'lease');
        granted++;
        if (holder !== null) overlaps++;
        if (tokens.has(lease.token)) problems.push(`token ${lease.token} handed out twice`);
        tokens.add(lease.token);
        fencing.push(lease.fencingToken);
        holder = lease.token;
        await ctx.sleep(ctx.rng.int(0, 2));
        if (holder === lease.token) holder = null;
        const released = await lock.call('release', lease);
        if (released !== true) problems.push(`release of a held lease returned ${JSON.stringify(released)}`);
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, w) => worker(w)));
    if (overlaps > 0) fail(`${overlaps} leases were granted while another worker held the lock`, 0, overlaps);
    if (granted === 0) fail('no worker ever got the lock');
    for (let i = 1; i < fencing.length; i++)
      if (fencing[i]! <= fencing[i - 1]!)
        fail(`fencing tokens went ${fencing[i - 1]} then ${fencing[i]}: they must increase`, `> ${fencing[i - 1]}`, fencing[i]);
    if (problems.length) fail(problems[0]!);
  }),
  test('a release racing the lease’s expiry does not free the next holder', async (ctx) => {
    const { clock, store, instance } = await world(ctx);
    const a = await instance();
    const b = await instance();
    const leaseA = await acquire(a, 'res', 1_000, 'A: tryAcquire');
    let leaseB: Lease | undefined;
    // If A's release reads the lock before deleting it, A's lease expires and B takes the lock
    // right after that read.
    LockStore.armGetHook(store, leaseA.token, async () => {
      clock.now += 1_000;
      leaseB = await acquire(b, 'res', 60_000, 'B: tryAcquire once A’s lease expired');
    });
    await a.call('release', leaseA);
    if (!leaseB) return; // A's release never read the lock: nothing could race.
    await refused(await instance(), 'res', 60_000, 'C: tryAcquire while B holds');
    expect(await b.call('release', leaseB), 'B: release').toBe(true);
  }),
  test('an extend racing the lease’s expiry does not take over the next holder’s lock', async (ctx) => {
    const { clock, store, instance } = await world(ctx);
    const a = await instance();
    const b = await instance();
    const leaseA = await acquire(a, 'res', 1_000, 'A: tryAcquire');
    let leaseB: Lease | undefined;
    LockStore.armGetHook(store, leaseA.token, async () => {
      clock.now += 1_000;
      leaseB = await acquire(b, 'res', 60_000, 'B: tryAcquire once A’s lease expired');
    });
    const extended = await a.call('extend', leaseA, 60_000);
    if (!leaseB) return;
    expect(extended, 'A: extend that lost the race').toBe(false);
    expect(await b.call('release', leaseB), 'B: release').toBe(true);
  }),
];

export default defineSuites({ correctness, stress });
