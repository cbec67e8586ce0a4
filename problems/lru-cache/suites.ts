import {
  defineSuites,
  expect,
  expectRejects,
  fail,
  sample,
  test,
  type LatencyDef,
  type ProbeDef,
  type RemoteObject,
  type Rng,
  type TestContext,
  type Workload,
} from '@assay/sdk';

type Key = string | number;

/** The behaviour the candidate must match: a Map in recency order (oldest first). */
class ModelCache {
  private readonly map = new Map<Key, unknown>();
  constructor(private readonly capacity: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: Key): unknown {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }
  put(key: Key, value: unknown): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as Key);
    this.map.set(key, value);
  }
  keys(): Key[] {
    return [...this.map.keys()];
  }
}

function create(ctx: TestContext, capacity: number): Promise<RemoteObject> {
  return ctx.subject.construct('LRUCache', capacity);
}

async function put(cache: RemoteObject, key: Key, value: unknown): Promise<void> {
  await cache.call('put', key, value);
}

async function expectGet(cache: RemoteObject, key: Key, expected: unknown): Promise<void> {
  expect(await cache.call('get', key), `get(${JSON.stringify(key)})`).toEqual(expected);
}

async function expectSize(cache: RemoteObject, expected: number): Promise<void> {
  expect(await cache.prop('size'), 'size').toBe(expected);
}

/** Replays random operations against the candidate and the model, comparing every answer. */
async function randomOps(ctx: TestContext, capacity: number, keyRange: number, ops: number): Promise<void> {
  const cache = await create(ctx, capacity);
  const model = new ModelCache(capacity);
  const log: string[] = [];
  for (let i = 0; i < ops; i++) {
    const key = ctx.rng.int(0, keyRange - 1);
    if (ctx.rng.next() < 0.5) {
      const value = ctx.rng.int(0, 1_000_000);
      log.push(`put(${key}, ${value})`);
      model.put(key, value);
      await put(cache, key, value);
    } else {
      log.push(`get(${key})`);
      const want = model.get(key);
      const got = await cache.call('get', key);
      if (got !== want)
        fail(
          `capacity ${capacity}, after ${log.length - 1} operations (last ones: ${log.slice(-6, -1).join(', ')}): get(${key}) returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
          want,
          got,
        );
    }
    if (i % 25 === 24) await expectSize(cache, model.size);
  }
  await expectSize(cache, model.size);
}

const correctness = [
  sample('basic get and put', async (ctx) => {
    const cache = await create(ctx, 2);
    await put(cache, 1, 'one');
    await put(cache, 2, 'two');
    await expectGet(cache, 1, 'one');
    await put(cache, 3, 'three'); // full: evicts 2, the least recently used
    await expectGet(cache, 2, undefined);
    await expectGet(cache, 3, 'three');
    await expectGet(cache, 1, 'one');
    await expectSize(cache, 2);
  }),

  sample('a get makes the key the most recently used', async (ctx) => {
    const cache = await create(ctx, 3);
    await put(cache, 'a', 1);
    await put(cache, 'b', 2);
    await put(cache, 'c', 3);
    await expectGet(cache, 'a', 1); // recency now (oldest first): b, c, a
    await put(cache, 'd', 4); // evicts b
    await expectGet(cache, 'b', undefined);
    await expectGet(cache, 'a', 1);
    await expectGet(cache, 'c', 3);
    await expectGet(cache, 'd', 4);
  }),

  sample('updating a key replaces its value without growing the cache', async (ctx) => {
    const cache = await create(ctx, 2);
    await put(cache, 'x', 1);
    await put(cache, 'x', 2);
    await expectGet(cache, 'x', 2);
    await expectSize(cache, 1);
  }),

  sample('a capacity below 1 is a RangeError', async (ctx) => {
    await expectRejects(create(ctx, 0), 'RangeError', 'new LRUCache(0)');
  }),

  test('updating a key makes it the most recently used', async (ctx) => {
    const cache = await create(ctx, 2);
    await put(cache, 'a', 1);
    await put(cache, 'b', 2);
    await put(cache, 'a', 10); // recency: b, a
    await put(cache, 'c', 3); // evicts b
    await expectGet(cache, 'b', undefined);
    await expectGet(cache, 'a', 10);
    await expectGet(cache, 'c', 3);
  }),

  test('updating a key of a full cache evicts nothing', async (ctx) => {
    const cache = await create(ctx, 3);
    await put(cache, 'a', 1);
    await put(cache, 'b', 2);
    await put(cache, 'c', 3);
    await put(cache, 'b', 20);
    await put(cache, 'c', 30);
    await expectSize(cache, 3);
    await expectGet(cache, 'a', 1);
    await expectGet(cache, 'b', 20);
    await expectGet(cache, 'c', 30);
  }),

  test('evicts the least recently used key, one at a time', async (ctx) => {
    const cache = await create(ctx, 3);
    for (const k of [1, 2, 3]) await put(cache, k, k * 100);
    await put(cache, 4, 400); // evicts 1
    await expectSize(cache, 3);
    await expectGet(cache, 1, undefined);
    await expectGet(cache, 2, 200); // recency: 3, 4, 2
    await put(cache, 5, 500); // evicts 3
    await expectGet(cache, 3, undefined);
    await expectGet(cache, 4, 400);
    await expectGet(cache, 2, 200);
    await expectGet(cache, 5, 500);
    await expectSize(cache, 3);
  }),

  test('holds exactly capacity keys', async (ctx) => {
    for (const capacity of [1, 2, 5, 8]) {
      const cache = await create(ctx, capacity);
      for (let k = 0; k < capacity; k++) await put(cache, `k${k}`, k);
      await expectSize(cache, capacity);
      for (let k = 0; k < capacity; k++) await expectGet(cache, `k${k}`, k);
      await put(cache, 'extra', -1); // evicts k0, the least recently used
      await expectSize(cache, capacity);
      await expectGet(cache, 'k0', undefined);
      await expectGet(cache, 'extra', -1);
      if (capacity > 1) await expectGet(cache, `k${capacity - 1}`, capacity - 1);
    }
  }),

  test('capacity 1 keeps only the last key', async (ctx) => {
    const cache = await create(ctx, 1);
    await put(cache, 'a', 1);
    await put(cache, 'b', 2);
    await expectGet(cache, 'a', undefined);
    await expectGet(cache, 'b', 2);
    await put(cache, 'b', 3);
    await expectGet(cache, 'b', 3);
    await expectSize(cache, 1);
  }),

  test('misses return undefined and change nothing', async (ctx) => {
    const cache = await create(ctx, 2);
    await expectGet(cache, 'nothing', undefined);
    await expectSize(cache, 0);
    await put(cache, 'a', 1);
    await put(cache, 'b', 2);
    await expectGet(cache, 'c', undefined);
    await expectSize(cache, 2);
    await put(cache, 'c', 3); // still evicts a
    await expectGet(cache, 'a', undefined);
    await expectGet(cache, 'b', 2);
  }),

  test('falsy values are stored and returned as they are', async (ctx) => {
    const cache = await create(ctx, 5);
    const values: Array<[string, unknown]> = [
      ['zero', 0],
      ['empty', ''],
      ['no', false],
      ['nil', null],
    ];
    for (const [k, v] of values) await put(cache, k, v);
    for (const [k, v] of values) await expectGet(cache, k, v);
    await expectSize(cache, 4);
  }),

  test('keys compare like Map keys: 1 and "1" are different', async (ctx) => {
    const cache = await create(ctx, 4);
    await put(cache, 1, 'number');
    await put(cache, '1', 'string');
    await expectSize(cache, 2);
    await expectGet(cache, 1, 'number');
    await expectGet(cache, '1', 'string');
  }),

  test('object values round-trip', async (ctx) => {
    const cache = await create(ctx, 2);
    const value = { id: 7, tags: ['a', 'b'], nested: { ok: true } };
    await put(cache, 'obj', value);
    await expectGet(cache, 'obj', value);
  }),

  test('only integers >= 1 are valid capacities', async (ctx) => {
    for (const bad of [-1, 0.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectRejects(create(ctx, bad), 'RangeError', `new LRUCache(${String(bad)})`);
    }
    for (const good of [1, 3, 1000]) {
      const cache = await create(ctx, good);
      await expectSize(cache, 0);
    }
  }),

  test(
    'a larger cache evicts in recency order',
    async (ctx) => {
      const capacity = 100;
      const cache = await create(ctx, capacity);
      const model = new ModelCache(capacity);
      for (let k = 0; k < capacity; k++) {
        await put(cache, k, k);
        model.put(k, k);
      }
      // touch a random half, then insert 50 new keys: the untouched half goes first
      for (const k of ctx.rng.shuffle([...Array(capacity).keys()]).slice(0, 50)) {
        await expectGet(cache, k, k);
        model.get(k);
      }
      for (let k = capacity; k < capacity + 50; k++) {
        await put(cache, k, k);
        model.put(k, k);
      }
      await expectSize(cache, capacity);
      const kept = new Set(model.keys());
      for (let k = 0; k < capacity + 50; k++) await expectGet(cache, k, kept.has(k) ? k : undefined);
    },
    { timeoutMs: 15_000 },
  ),

  test('random operations, capacity 1', (ctx) => randomOps(ctx, 1, 3, 200), { timeoutMs: 15_000 }),
  test('random operations, capacity 3', (ctx) => randomOps(ctx, 3, 6, 300), { timeoutMs: 15_000 }),
  test('random operations, capacity 16', (ctx) => randomOps(ctx, 16, 30, 400), { timeoutMs: 15_000 }),
];

// ---- performance ----------------------------------------------------------------------------

/** A full cache of n keys 0…n-1 (inserted in order). */
function fullCache(n: number): Pick<Workload, 'construct' | 'setup'> {
  return {
    construct: { className: 'LRUCache', args: [n] },
    setup: [{ method: 'put', argsList: Array.from({ length: n }, (_, k) => [k, k]) }],
  };
}

function randomKeys(rng: Rng, count: number, range: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, range - 1));
}

/**
 * The driver replays the measured calls in batches, each starting from the first call, so every
 * measured call must leave the cache at size n: gets of present keys, and puts that update them.
 */
const complexity: ProbeDef[] = [
  {
    operation: 'get',
    workload: (n, rng) => ({ ...fullCache(n), measure: { method: 'get', argsList: randomKeys(rng, 1000, n).map((k) => [k]) } }),
  },
  {
    operation: 'put',
    workload: (n, rng) => ({ ...fullCache(n), measure: { method: 'put', argsList: randomKeys(rng, 1000, n).map((k, i) => [k, i]) } }),
  },
];

const LATENCY_CAPACITY = 2048;
const EVICTING_CAPACITY = 128;
/** Pairs of candidate/reference batches per benchmark: the verdict is their median ratio. */
const LATENCY_SAMPLES = 61;
const latency: LatencyDef[] = [
  {
    operation: 'get',
    samples: LATENCY_SAMPLES,
    workload: (rng) => ({
      ...fullCache(LATENCY_CAPACITY),
      // half hits, half misses
      measure: { method: 'get', argsList: randomKeys(rng, 1000, 2 * LATENCY_CAPACITY).map((k) => [k]) },
    }),
  },
  {
    operation: 'put',
    samples: LATENCY_SAMPLES,
    workload: (rng) => ({
      ...fullCache(LATENCY_CAPACITY),
      // inserts with evictions first, then updates
      measure: { method: 'put', argsList: randomKeys(rng, 1000, 2 * LATENCY_CAPACITY).map((k, i) => [k, i]) },
    }),
  },
  {
    // The probes cannot see the eviction path: batches replay the measured calls from the first
    // one, so at large sizes fresh keys are only fresh once. A small cache cycling through twice
    // its capacity in fresh keys evicts on every put, in every batch (a batch of ~2 ms holds far
    // more than 2 × 128 calls even for an O(n) eviction). Catches scanning for the oldest entry.
    operation: 'put (evicting)',
    samples: LATENCY_SAMPLES,
    workload: () => ({
      ...fullCache(EVICTING_CAPACITY),
      measure: { method: 'put', argsList: Array.from({ length: 2 * EVICTING_CAPACITY }, (_, i) => [EVICTING_CAPACITY + i, i]) },
    }),
  },
];

export default defineSuites({ correctness, latency, complexity });
