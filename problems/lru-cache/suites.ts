import {
  defineSuites,
  expect,
  expectRejects,
  runModel,
  sample,
  test,
  type LatencyDef,
  type ProbeDef,
  type Remote,
  type CallBatch,
  type Rng,
  type TestContext,
  type Workload,
} from '@assay/sdk';

type Key = string | number;

/** The interface the statement asks for. */
interface LRUCache {
  get(key: Key): unknown;
  put(key: Key, value: unknown): void;
  readonly size: number;
}

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

type Cache = Remote<LRUCache>;
const lru = (ctx: TestContext, capacity: number) => ctx.construct<LRUCache>('LRUCache', capacity);

/** A scenario's steps, run in order: put(k, v); get(k, v) returns v (MISS: undefined); size(n). */
type Step = ['put', Key, unknown] | ['get', Key, unknown] | ['size', number];
const MISS = undefined;
const put = (k: Key, v: unknown): Step => ['put', k, v];
const get = (k: Key, v: unknown): Step => ['get', k, v];
const size = (n: number): Step => ['size', n];

async function play(cache: Cache, ...steps: Step[]): Promise<void> {
  for (const [op, a, b] of steps) {
    if (op === 'put') await cache.put(a, b);
    else if (op === 'get') expect(await cache.get(a), `get(${JSON.stringify(a)})`).toEqual(b);
    else expect(await cache.size, 'size').toBe(a);
  }
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Random puts and gets of `keys` keys, each get compared with the model, the size every 25. */
function randomOps(capacity: number, keys: number, steps: number) {
  return async (ctx: TestContext) =>
    runModel({
      model: new ModelCache(capacity),
      subject: await lru(ctx, capacity),
      rng: ctx.rng,
      steps,
      ops: {
        put: { args: (rng) => [rng.int(0, keys - 1), rng.int(0, 1_000_000)], compare: false },
        get: { args: (rng) => [rng.int(0, keys - 1)] },
      },
      props: ['size'],
      every: 25,
      label: `capacity ${capacity}`,
    });
}

const correctness = [
  sample('basic get and put', async (ctx) => {
    const cache = await lru(ctx, 2);
    await play(cache, put(1, 'one'), put(2, 'two'), get(1, 'one'));
    // full: 3 evicts 2, the least recently used
    await play(cache, put(3, 'three'), get(2, MISS), get(3, 'three'), get(1, 'one'), size(2));
  }),
  sample('a get makes the key the most recently used', async (ctx) => {
    const cache = await lru(ctx, 3);
    await play(cache, put('a', 1), put('b', 2), put('c', 3), get('a', 1)); // recency now (oldest first): b, c, a
    await play(cache, put('d', 4), get('b', MISS), get('a', 1), get('c', 3), get('d', 4)); // d evicts b
  }),
  sample('updating a key replaces its value without growing the cache', async (ctx) => {
    await play(await lru(ctx, 2), put('x', 1), put('x', 2), get('x', 2), size(1));
  }),
  sample('a capacity below 1 is a RangeError', async (ctx) => {
    await expectRejects(lru(ctx, 0), 'RangeError', 'new LRUCache(0)');
  }),

  test('updating a key makes it the most recently used', async (ctx) => {
    // recency after the update: b, a; so c evicts b
    await play(await lru(ctx, 2), put('a', 1), put('b', 2), put('a', 10), put('c', 3), get('b', MISS), get('a', 10), get('c', 3));
  }),
  test('updating a key of a full cache evicts nothing', async (ctx) => {
    const cache = await lru(ctx, 3);
    await play(cache, put('a', 1), put('b', 2), put('c', 3), put('b', 20), put('c', 30), size(3), get('a', 1), get('b', 20), get('c', 30));
  }),
  test('evicts the least recently used key, one at a time', async (ctx) => {
    const cache = await lru(ctx, 3);
    await play(cache, put(1, 100), put(2, 200), put(3, 300), put(4, 400), size(3), get(1, MISS)); // 4 evicts 1
    await play(cache, get(2, 200), put(5, 500), get(3, MISS), get(4, 400), get(2, 200), get(5, 500), size(3)); // 5 evicts 3
  }),
  test('holds exactly capacity keys', async (ctx) => {
    for (const capacity of [1, 2, 5, 8]) {
      const cache = await lru(ctx, capacity);
      const keys = range(0, capacity);
      await play(cache, ...keys.map((k) => put(`k${k}`, k)), size(capacity), ...keys.map((k) => get(`k${k}`, k)));
      await play(cache, put('extra', -1), size(capacity), get('k0', MISS), get('extra', -1)); // evicts k0, the least recently used
      if (capacity > 1) await play(cache, get(`k${capacity - 1}`, capacity - 1));
    }
  }),
  test('capacity 1 keeps only the last key', async (ctx) => {
    await play(await lru(ctx, 1), put('a', 1), put('b', 2), get('a', MISS), get('b', 2), put('b', 3), get('b', 3), size(1));
  }),
  test('misses return undefined and change nothing', async (ctx) => {
    const cache = await lru(ctx, 2);
    await play(cache, get('nothing', MISS), size(0), put('a', 1), put('b', 2), get('c', MISS), size(2));
    await play(cache, put('c', 3), get('a', MISS), get('b', 2)); // c still evicts a
  }),
  test('falsy values are stored and returned as they are', async (ctx) => {
    const values: Array<[Key, unknown]> = [
      ['zero', 0],
      ['empty', ''],
      ['no', false],
      ['nil', null],
    ];
    await play(await lru(ctx, 5), ...values.map(([k, v]) => put(k, v)), ...values.map(([k, v]) => get(k, v)), size(4));
  }),
  test('keys compare like Map keys: 1 and "1" are different', async (ctx) => {
    await play(await lru(ctx, 4), put(1, 'number'), put('1', 'string'), size(2), get(1, 'number'), get('1', 'string'));
  }),
  test('object values round-trip', async (ctx) => {
    const value = { id: 7, tags: ['a', 'b'], nested: { ok: true } };
    await play(await lru(ctx, 2), put('obj', value), get('obj', value));
  }),
  test('only integers >= 1 are valid capacities', async (ctx) => {
    for (const bad of [-1, 0.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY])
      await expectRejects(lru(ctx, bad), 'RangeError', `new LRUCache(${String(bad)})`);
    for (const good of [1, 3, 1000]) await play(await lru(ctx, good), size(0));
  }),
  test(
    'a larger cache evicts in recency order',
    async (ctx) => {
      const model = new ModelCache(100);
      // touch a random half, then insert 50 new keys: the untouched half goes first
      const touched = ctx.rng.shuffle(range(0, 100)).slice(0, 50);
      for (const k of range(0, 100)) model.put(k, k);
      for (const k of touched) model.get(k);
      for (const k of range(100, 150)) model.put(k, k);
      const kept = new Set(model.keys());
      const cache = await lru(ctx, 100);
      await play(cache, ...range(0, 100).map((k) => put(k, k)), ...touched.map((k) => get(k, k)), ...range(100, 150).map((k) => put(k, k)));
      await play(cache, size(100), ...range(0, 150).map((k) => get(k, kept.has(k) ? k : MISS)));
    },
    { timeoutMs: 15_000 },
  ),
  test('random operations, capacity 1', randomOps(1, 3, 200), { timeoutMs: 15_000 }),
  test('random operations, capacity 3', randomOps(3, 6, 300), { timeoutMs: 15_000 }),
  test('random operations, capacity 16', randomOps(16, 30, 400), { timeoutMs: 15_000 }),
];

// ---- performance ----------------------------------------------------------------------------

/** A full cache of n keys 0…n-1 (inserted in order), then `measure` and its read-backs. */
const fullCache = (n: number, measure: CallBatch, readBacks: Pick<Workload, 'verify' | 'verifyAtEnd'>): Workload => ({
  construct: { className: 'LRUCache', args: [n] },
  // put(k, k) for k = 0…n-1: one entry whose key and value advance by one per call
  setup: [{ method: 'put', argsList: [[0, 0]], advance: { args: [0, 1], by: 1 }, calls: n }],
  measure,
  ...readBacks,
});
const randomKeys = (rng: Rng, count: number, range: number) => Array.from({ length: count }, () => [rng.int(0, range - 1)]);
/** Gets of random keys, and of the 16 oldest keys of the setup (so the read-backs can tell whether gets refreshed them). */
const randomGets = (rng: Rng, range: number): CallBatch => ({
  method: 'get',
  argsList: rng.shuffle([...Array.from({ length: OLDEST }, (_, k) => [k]), ...randomKeys(rng, 1000 - OLDEST, range)]),
});
const OLDEST = 16;

/**
 * Read-backs, compared with the reference's, so a call that skips its work inside timed batches
 * is caught even when its own result looks right. After puts, after every batch: gets of keys
 * recent calls wrote (present) and of keys written long enough ago to be evicted by now (gone),
 * and the size. After gets, which change only the recency order, once at the end: 16 puts of
 * fresh keys evict the 16 least recently used keys, and gets of the 16 oldest keys of the setup
 * (which the gets refreshed) and of random ones show which keys those were. (At the end, not
 * after every batch: an eviction is an O(n) scan in some solutions whose get is O(1), and would
 * be timed as get's.)
 */
const readSize: CallBatch = { method: 'size', read: true, argsList: [[]] };
const afterGets = (rng: Rng, n: number): CallBatch[] => [
  { method: 'put', argsList: Array.from({ length: OLDEST }, (_, i) => [-1 - i, i]), results: 'open' },
  { method: 'get', argsList: [...Array.from({ length: OLDEST }, (_, k) => [k]), ...randomKeys(rng, 8, n)] },
  readSize,
];
const afterPuts = (back: number[]): CallBatch[] => [{ method: 'get', argsList: [], echo: { args: [0], back } }, readSize];
const recent = Array.from({ length: 8 }, (_, i) => i + 1);

/**
 * `put` on its costly paths, at size n: on a full cache, every other call inserts a fresh key
 * (so it evicts the least recently used key) and the others update a key inserted a little
 * earlier (so it moves from deep in the recency order to the front). Timed batches continue
 * where the previous one stopped, and after each pass over the calls every key in them moves
 * past all keys used so far (`advance`), so each insert is fresh however many passes the
 * batches make: every insert evicts, at every size, in every batch. An updated key was inserted
 * at most `pass / 4` inserts before, far fewer than the cache holds, so it is still present.
 */
function evictingPuts(n: number, rng: Rng): Workload {
  const pass = Math.min(n, 1024);
  const argsList: unknown[][] = [];
  for (let j = 0; j < pass; j++) {
    argsList.push([n + j, j]);
    argsList.push([n + j - rng.int(0, Math.min(j, pass / 4 - 1)), -j]);
  }
  const measure: CallBatch = { method: 'put', argsList, results: 'open', advance: { args: [0], by: pass } };
  // back 2n + 2·pass + 1: a key inserted n + pass inserts ago, evicted since
  return fullCache(n, measure, { verify: afterPuts([...recent, 64, 2 * pass - 1, n / 2, n, 2 * n + 2 * pass + 1]) });
}

const complexity: ProbeDef[] = [
  // hits on a full cache: each moves its key to the front
  { operation: 'get', workload: (n, rng) => fullCache(n, randomGets(rng, n), { verifyAtEnd: afterGets(rng, n) }) },
  { operation: 'put', workload: evictingPuts },
];

/** Pairs of candidate/reference batches per benchmark: the verdict is their median ratio. */
const samples = 61;
const latency: LatencyDef[] = [
  // half hits, half misses
  { operation: 'get', samples, workload: (rng) => fullCache(2048, randomGets(rng, 2 * 2048), { verifyAtEnd: afterGets(rng, 2048) }) },
  // inserts (evicting) and updates, mixed
  {
    operation: 'put',
    samples,
    workload: (rng) =>
      fullCache(
        2048,
        { method: 'put', argsList: Array.from({ length: 1000 }, (_, i) => [rng.int(0, 2 * 2048 - 1), i]), results: 'open' },
        { verify: afterPuts([...recent, 100, 999, 5000]) },
      ),
  },
  // A small cache cycling through twice its capacity in fresh keys: every put evicts.
  {
    operation: 'put (evicting)',
    samples,
    workload: () =>
      fullCache(
        128,
        { method: 'put', argsList: Array.from({ length: 2 * 128 }, (_, i) => [128 + i, i]), results: 'open' },
        { verify: afterPuts([...recent, 64, 127, 129, 200]) },
      ),
  },
];

export default defineSuites({ correctness, latency, complexity });
