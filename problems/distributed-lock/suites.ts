import {
  defineSuites,
  expect,
  expectRejects,
  fail,
  KvStore,
  ManualClock,
  sample,
  show,
  test,
  type Remote,
  type TestContext,
} from '@assay/sdk';

interface Lease {
  resource: string;
  token: string;
  fencingToken: number;
}
interface DistributedLock {
  tryAcquire(resource: string, ttlMs: number): Lease | null;
  release(lease: Lease): boolean;
  extend(lease: Lease, ttlMs: number): boolean;
}
type Lock = Remote<DistributedLock>;

/**
 * The statement's store: Redis-like strings with expiry (SET NX PX, compare-and-delete, ...) on
 * a clock the test controls. Every call takes 0–2 ms on the way in and 0–2 ms on the way back,
 * so a read-then-write across an await interleaves with other calls on every run.
 */
async function world(ctx: TestContext) {
  const store = new KvStore(ctx, { latencyMs: 2, clock: new ManualClock(1_000_000), values: 'string', requireTtl: ['set', 'setIfAbsent'] });
  const client = store.client(['setIfAbsent', 'get', 'deleteIfEquals', 'expireIfEquals', 'incr', 'set', 'delete']);
  /** Every store call the candidate makes, counted on arrival (the store's own argument checks reject some). */
  const storeCalls = { count: 0 };
  const counted = Object.fromEntries(
    Object.entries(client).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        storeCalls.count++;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  );
  const exposed = ctx.expose(counted);
  /** A new DistributedLock (another process) over the same store. */
  const instance = () => ctx.construct<DistributedLock>('DistributedLock', exposed);
  return { clock: store.clock, store, instance, storeCalls };
}

function asLease(v: unknown, resource: string, what: string): Lease {
  const l = v as Partial<Lease> | null;
  if (typeof l !== 'object' || l === null) fail(`${what}: expected a lease object, got ${JSON.stringify(v)}`, 'a lease', v);
  if (l.resource !== resource)
    fail(`${what}: lease.resource should be ${JSON.stringify(resource)}, got ${JSON.stringify(l.resource)}`, resource, l.resource);
  if (typeof l.token !== 'string' || l.token.length === 0)
    fail(`${what}: lease.token should be a non-empty string, got ${JSON.stringify(l.token)}`, 'a non-empty string', l.token);
  const f = l.fencingToken;
  if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < 1)
    fail(`${what}: lease.fencingToken should be a positive integer, got ${JSON.stringify(f)}`, 'a positive integer', f);
  return l as Lease;
}

const acquire = async (lock: Lock, resource: string, ttlMs: number, what: string) =>
  asLease(await lock.tryAcquire(resource, ttlMs), resource, what);
const refused = async (lock: Lock, resource: string, ttlMs: number, what: string) =>
  expect(await lock.tryAcquire(resource, ttlMs), what).toBe(null);

function expectIncreasing(before: number, after: number, message = `fencing token ${after} after ${before}`): void {
  if (after <= before) fail(message, `> ${before}`, after);
}

/**
 * A calls tryAcquire('res', 1000). Inside A's first `op` call (a setIfAbsent that took the lock,
 * or any incr), the store's clock passes A's ttl and B takes the lock (and, with `bReleases`,
 * lets it go) before A's call goes on. Whichever lease holds the lock at the end must carry a
 * fencing token larger than every other lease handed out: a storage that has seen the larger one
 * rejects the holder's writes. A tryAcquire whose lock expired before it could hand the lease out
 * resolves null.
 */
async function raceAcquire(ctx: TestContext, op: 'setIfAbsent' | 'incr', bReleases: boolean): Promise<void> {
  const { clock, store, instance } = await world(ctx);
  const [a, b] = [await instance(), await instance()];
  let leaseB: Lease | undefined;
  store.onceAfter(
    op,
    (result) => op === 'incr' || result === true,
    async () => {
      clock.advance(1_000);
      leaseB = await acquire(b, 'res', 60_000, 'B: tryAcquire once A’s lease expired');
      if (bReleases) expect(await b.release(leaseB), 'B: release').toBe(true);
    },
  );
  const got = await a.tryAcquire('res', 1_000);
  if (!leaseB) return; // A never made that call: nothing could race.
  const leases: { name: string; lock: Lock; lease: Lease }[] = [{ name: 'B', lock: b, lease: leaseB }];
  if (got !== null) leases.push({ name: 'A', lock: a, lease: asLease(got, 'res', 'A: tryAcquire') });
  const holders = [];
  for (const l of leases) if ((await l.lock.extend(l.lease, 60_000)) === true) holders.push(l);
  if (holders.length > 1) fail('A’s and B’s leases both hold the lock', 'one holder', holders.length);
  const holder = holders[0];
  if (!holder) return;
  for (const other of leases) {
    if (other === holder || other.lease.fencingToken < holder.lease.fencingToken) continue;
    fail(
      `${holder.name} holds the lock with fencing token ${holder.lease.fencingToken}, but ${other.name}'s lease got ` +
        `${other.lease.fencingToken}: a storage that saw ${other.lease.fencingToken} rejects the holder's writes`,
      `< ${holder.lease.fencingToken}`,
      other.lease.fencingToken,
    );
  }
}

const correctness = [
  sample('a held lock refuses everyone else until it is released', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const first = await acquire(lock, 'orders', 10_000, "tryAcquire('orders', 10000)");
    await refused(lock, 'orders', 10_000, "second tryAcquire('orders', 10000) while held");
    expect(await lock.release(first), 'release(first)').toBe(true);
    const second = await acquire(lock, 'orders', 10_000, "tryAcquire('orders', 10000) after release");
    const increase = `fencing tokens must increase: first ${first.fencingToken}, then ${second.fencingToken}`;
    expectIncreasing(first.fencingToken, second.fencingToken, increase);
    if (second.token === first.token) fail('two acquisitions got the same owner token', 'different tokens', second.token);
  }),
  sample('a lock expires ttlMs after it was taken', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    await acquire(lock, 'report', 5_000, "tryAcquire('report', 5000)");
    clock.advance(4_999);
    await refused(lock, 'report', 5_000, 'tryAcquire 4999 ms later');
    clock.advance(1);
    await acquire(lock, 'report', 5_000, 'tryAcquire 5000 ms later');
  }),
  sample('only the owner can release', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'inventory', 1_000, 'A: tryAcquire');
    clock.advance(1_000);
    const b = await acquire(lock, 'inventory', 1_000, 'B: tryAcquire after A’s lease expired');
    expect(await lock.release(a), 'A: release(its expired lease)').toBe(false);
    await refused(lock, 'inventory', 1_000, 'C: tryAcquire while B holds');
    expect(await lock.release(b), 'B: release').toBe(true);
  }),

  test('ttlMs must be an integer >= 1, checked before any store call', async (ctx) => {
    const { clock, instance, storeCalls } = await world(ctx);
    const lock = await instance();
    // not integers >= 1, and not numbers at all: the store would refuse some of them itself (a RangeError of its own,
    // or a TypeError), so each is checked to be refused with a RangeError and without a single store call
    const invalid: unknown[] = [0, -1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -Infinity, '1000', null, undefined, true];
    const refusedUntouched = async (call: () => Promise<unknown>, what: string) => {
      const before = storeCalls.count;
      await expectRejects(call(), 'RangeError', what);
      expect(storeCalls.count - before, `${what}: store calls made`).toBe(0);
    };
    for (const ttl of invalid) await refusedUntouched(() => lock.tryAcquire('r', ttl as number), `tryAcquire('r', ${show(ttl)})`);
    const lease = await acquire(lock, 'r', 1_000, 'tryAcquire');
    for (const ttl of invalid) await refusedUntouched(() => lock.extend(lease, ttl as number), `extend(lease, ${show(ttl)})`);
    await refused(lock, 'r', 1_000, 'tryAcquire while the lease still holds the lock');
    // an invalid ttl is refused whatever the lease's state: expired, or never held
    clock.advance(1_000);
    await refusedUntouched(() => lock.extend(lease, 0), 'extend(expired lease, 0)');
    await refusedUntouched(() => lock.extend({ resource: 'other', token: 'made-up', fencingToken: 1 }, 2.5), 'extend(made-up lease, 2.5)');
  }),
  test('ttlMs = 1 is valid', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const lease = await acquire(lock, 'r', 1, "tryAcquire('r', 1)");
    expect(await lock.extend(lease, 1), 'extend(lease, 1)').toBe(true);
    expect(await lock.release(lease), 'release(lease)').toBe(true);
  }),
  test('a lease describes the acquisition', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const lease = await acquire(lock, 'payments:eu', 30_000, 'tryAcquire');
    expect(lease.resource, 'lease.resource').toBe('payments:eu');
  }),
  test('resources are independent', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const a = await acquire(lock, 'a', 10_000, "tryAcquire('a')");
    const b = await acquire(lock, 'b', 10_000, "tryAcquire('b') while 'a' is held");
    expect(await lock.release(a), "release 'a'").toBe(true);
    await refused(lock, 'b', 10_000, "tryAcquire('b') after releasing 'a'");
    expect(await lock.release(b), "release 'b'").toBe(true);
  }),
  test('the lock lives in the store: another instance sees it', async (ctx) => {
    const { instance } = await world(ctx);
    const [one, two] = [await instance(), await instance()];
    const lease = await acquire(one, 'job', 10_000, 'instance 1: tryAcquire');
    await refused(two, 'job', 10_000, 'instance 2: tryAcquire while instance 1 holds');
    expect(await two.release(lease), 'instance 2: release(instance 1’s lease)').toBe(true);
    await acquire(two, 'job', 10_000, 'instance 2: tryAcquire after release');
  }),
  test('owner tokens are unique across instances', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const [one, two] = [await instance(), await instance()];
    const a = await acquire(one, 'cart', 1_000, 'instance 1: tryAcquire');
    clock.advance(1_000);
    const b = await acquire(two, 'cart', 1_000, 'instance 2: tryAcquire after instance 1’s lease expired');
    if (a.token === b.token)
      fail(`two acquisitions from different instances got the same owner token ${JSON.stringify(a.token)}`, 'different tokens', b.token);
    expect(await one.release(a), 'instance 1: release(its expired lease)').toBe(false);
    await refused(one, 'cart', 1_000, 'instance 1: tryAcquire while instance 2 holds');
    const tokens = new Set([a.token, b.token]);
    const three = await instance();
    for (let i = 0; i < 12; i++) {
      clock.advance(1_000);
      const l = await acquire([one, two, three][i % 3]!, 'cart', 1_000, `acquisition ${i + 3}`);
      if (tokens.has(l.token)) fail(`owner token ${JSON.stringify(l.token)} was handed out twice`, 'a fresh token', l.token);
      tokens.add(l.token);
    }
  }),
  test('fencing tokens increase across instances', async (ctx) => {
    const { instance } = await world(ctx);
    const [one, two] = [await instance(), await instance()];
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const inst = i % 3 === 1 ? two : one;
      const l = await acquire(inst, 'ledger', 10_000, `acquisition ${i + 1} (instance ${i % 3 === 1 ? 2 : 1})`);
      expectIncreasing(last, l.fencingToken, `fencing token ${l.fencingToken} after ${last}: it must keep increasing`);
      last = l.fencingToken;
      expect(await inst.release(l), 'release').toBe(true);
    }
  }),
  test('fencing tokens increase when a lease expires instead of being released', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    let last = 0;
    for (let i = 0; i < 4; i++) {
      const l = await acquire(lock, 'ledger', 500, `acquisition ${i + 1}`);
      expectIncreasing(last, l.fencingToken);
      last = l.fencingToken;
      clock.advance(500);
    }
  }),
  test('release twice: the second call returns false', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const l = await acquire(lock, 'x', 10_000, 'tryAcquire');
    expect(await lock.release(l), 'first release').toBe(true);
    expect(await lock.release(l), 'second release').toBe(false);
  }),
  test('a stale lease cannot release the next holder’s lock', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const a = await acquire(lock, 'x', 10_000, 'A: tryAcquire');
    expect(await lock.release(a), 'A: release').toBe(true);
    const b = await acquire(lock, 'x', 10_000, 'B: tryAcquire');
    expect(await lock.release(a), 'A: release again').toBe(false);
    await refused(lock, 'x', 10_000, 'C: tryAcquire while B holds');
    expect(await lock.release(b), 'B: release').toBe(true);
  }),
  test('a forged lease (right resource, wrong token) releases nothing', async (ctx) => {
    const lock = await (await world(ctx)).instance();
    const a = await acquire(lock, 'x', 10_000, 'tryAcquire');
    expect(await lock.release({ ...a, token: `${a.token}-not` }), 'release(forged lease)').toBe(false);
    expect(await lock.extend({ ...a, token: `${a.token}-not` }, 10_000), 'extend(forged lease)').toBe(false);
    await refused(lock, 'x', 10_000, 'tryAcquire after the forged release');
  }),
  test('releasing an expired lease returns false', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 2_000, 'tryAcquire');
    clock.advance(2_000);
    expect(await lock.release(a), 'release after expiry').toBe(false);
    await acquire(lock, 'x', 2_000, 'tryAcquire after expiry');
  }),
  test('extend keeps the lock for ttlMs from now', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 1_000, 'tryAcquire');
    clock.advance(900);
    expect(await lock.extend(a, 1_000), 'extend 900 ms later').toBe(true);
    clock.advance(999);
    await refused(lock, 'x', 1_000, 'tryAcquire 999 ms after the extend');
    clock.advance(1);
    await acquire(lock, 'x', 1_000, 'tryAcquire 1000 ms after the extend');
  }),
  test('an expired lease cannot be extended, and does not touch the next holder', async (ctx) => {
    const { clock, instance } = await world(ctx);
    const lock = await instance();
    const a = await acquire(lock, 'x', 1_000, 'A: tryAcquire');
    clock.advance(1_000);
    expect(await lock.extend(a, 60_000), 'A: extend after expiry (nobody holds it)').toBe(false);
    const b = await acquire(lock, 'x', 1_000, 'B: tryAcquire');
    expect(await lock.extend(a, 60_000), 'A: extend while B holds').toBe(false);
    clock.advance(1_000);
    await acquire(lock, 'x', 1_000, 'C: tryAcquire once B’s lease expired');
    expect(await lock.release(b), 'B: release after its lease expired').toBe(false);
  }),
  test('a lease that expires while it is being taken does not outrank the next holder’s fencing token', async (ctx) => {
    // Right after A's setIfAbsent took the lock, A's lease expires and B takes the lock.
    await raceAcquire(ctx, 'setIfAbsent', false);
  }),
  test('a lease taken after another holder came and went gets a larger fencing token', async (ctx) => {
    // Right after A's first incr, A's lease (if any) expires, and B takes the lock and releases it.
    await raceAcquire(ctx, 'incr', true);
  }),
];

/**
 * A holds the lock; the moment A's `verb` reads its own token back from the store, A's lease
 * expires and B takes the lock. A check-then-act on A's side now acts on B's lock.
 */
async function raceExpiry(ctx: TestContext, verb: (a: Lock, lease: Lease) => Promise<unknown>) {
  const { clock, store, instance } = await world(ctx);
  const [a, b] = [await instance(), await instance()];
  const leaseA = await acquire(a, 'res', 1_000, 'A: tryAcquire');
  let leaseB: Lease | undefined;
  store.onceAfter(
    'get',
    (value) => value === leaseA.token,
    async () => {
      clock.advance(1_000);
      leaseB = await acquire(b, 'res', 60_000, 'B: tryAcquire once A’s lease expired');
    },
  );
  const result = await verb(a, leaseA);
  return { result, leaseB, b, instance };
}

const stress = [
  test('200 concurrent acquirers: exactly one gets the lock', async (ctx) => {
    const { instance } = await world(ctx);
    const locks = [await instance(), await instance(), await instance(), await instance()];
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => locks[i % 4]!.tryAcquire('hot', 60_000)));
    const leases = results.filter((r) => r !== null);
    expect(leases.length, 'leases granted').toBe(1);
    asLease(leases[0], 'hot', 'the lease');
  }),
  test('40 workers contend in rounds: never two holders, fencing tokens increase', async (ctx) => {
    const { instance } = await world(ctx);
    const locks = [await instance(), await instance(), await instance()];
    let holder: string | null = null;
    let [overlaps, granted] = [0, 0];
    const fencing: number[] = [];
    const tokens = new Set<string>();
    const problems: string[] = [];
    const worker = async (w: number) => {
      const lock = locks[w % locks.length]!;
      for (let round = 0; round < 8; round++) {
        const got = await lock.tryAcquire('shared', 60_000);
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
        const released = await lock.release(lease);
        if (released !== true) problems.push(`release of a held lease returned ${JSON.stringify(released)}`);
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, w) => worker(w)));
    if (overlaps > 0) fail(`${overlaps} leases were granted while another worker held the lock`, 0, overlaps);
    if (granted === 0) fail('no worker ever got the lock');
    for (let i = 1; i < fencing.length; i++)
      expectIncreasing(fencing[i - 1]!, fencing[i]!, `fencing tokens went ${fencing[i - 1]} then ${fencing[i]}: they must increase`);
    if (problems.length) fail(problems[0]!);
  }),
  test('a release racing the lease’s expiry does not free the next holder', async (ctx) => {
    const { leaseB, b, instance } = await raceExpiry(ctx, (a, lease) => a.release(lease));
    if (!leaseB) return; // A's release never read the lock: nothing could race.
    await refused(await instance(), 'res', 60_000, 'C: tryAcquire while B holds');
    expect(await b.release(leaseB), 'B: release').toBe(true);
  }),
  test('an extend racing the lease’s expiry does not take over the next holder’s lock', async (ctx) => {
    const { result, leaseB, b } = await raceExpiry(ctx, (a, lease) => a.extend(lease, 60_000));
    if (!leaseB) return;
    expect(result, 'A: extend that lost the race').toBe(false);
    expect(await b.release(leaseB), 'B: release').toBe(true);
  }),
];

export default defineSuites({ correctness, stress });
