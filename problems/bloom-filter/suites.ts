import { concurrently, defineSuites, expect, expectRejects, fail, sample, show, test } from '@assay/sdk';
import type { Remote, Rng, TestContext } from '@assay/sdk';

/** The interface the statement asks for. */
interface BloomFilter {
  readonly bitCount: number;
  readonly hashCount: number;
  add(item: string): void;
  has(item: string): boolean;
}
type Filter = Remote<BloomFilter>;
const bloom = (ctx: TestContext, n: number, p: number) => ctx.construct<BloomFilter>('BloomFilter', n, p);

/** The sizing the statement specifies. */
function sizing(n: number, p: number): { m: number; k: number } {
  const m = Math.ceil((-n * Math.log(p)) / (Math.LN2 * Math.LN2));
  return { m, k: Math.max(1, Math.round((m / n) * Math.LN2)) };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.';
const randomItem = (rng: Rng) => Array.from({ length: rng.int(4, 24) }, () => ALPHABET[rng.int(0, ALPHABET.length - 1)]).join('');

/** `count` distinct random strings, none of them in `exclude`. */
function distinctItems(rng: Rng, count: number, exclude = new Set<string>()): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const s = randomItem(rng);
    if (!exclude.has(s)) out.add(s);
  }
  return [...out];
}

// Many calls in flight keep 40,000 queries fast; 500 at a time keeps the subject's queue short.
const addAll = (f: Filter, items: string[]) => concurrently(items.length, (i) => f.add(items[i]!), 500);
const hasAll = (f: Filter, items: string[]) => concurrently(items.length, (i) => f.has(items[i]!), 500);

/** Adds every item, then expects each to be reported present (a Bloom filter never has false negatives). */
async function expectPresent(f: Filter, items: string[]): Promise<void> {
  await addAll(f, items);
  const got = await hasAll(f, items);
  const missing = items.filter((_, i) => got[i] !== true);
  const missed = `${missing.length} of ${items.length} added items, e.g. ${show(missing.slice(0, 3))}`;
  if (missing.length > 0) fail(`has() returned false for ${missed} (a Bloom filter never has false negatives)`, true, false);
}

/**
 * With n items added, the false-positive rate on `queries` never added must lie within
 * [low, high] × the rate of an ideal filter of that size (m bits, k independent uniform hashes).
 * The band is many standard deviations wide: a correct filter passes whatever the seed.
 */
async function expectRate(ctx: TestContext, n: number, p: number, inserted: string[], queries: string[], [low, high]: [number, number]) {
  const f = await bloom(ctx, n, p);
  await expectPresent(f, inserted);
  const positives = (await hasAll(f, queries)).filter((v) => v === true).length;
  const { m, k } = sizing(n, p);
  const [rate, ideal] = [positives / queries.length, (1 - Math.exp((-k * inserted.length) / m)) ** k];
  const [min, max, pct] = [low * ideal, high * ideal, (x: number) => `${(x * 100).toFixed(2)}%`];
  const measured = `false-positive rate ${pct(rate)} (${positives} of ${queries.length} absent items)`;
  const band = `an ideal filter of this size measures about ${pct(ideal)}; allowed ${pct(min)} to ${pct(max)}`;
  if (rate > max) fail(`${measured} is far above the target ${pct(p)} (${band})`, `<= ${pct(max)}`, pct(rate));
  if (rate < min)
    fail(
      `${measured} is far below what the specified size gives (${band}): check the sizing and that has() tests the bits`,
      `>= ${pct(min)}`,
      pct(rate),
    );
}

/** `inserted` random items, then as many never-added random queries. */
function randomRate(n: number, p: number, queries: number) {
  return async (ctx: TestContext) => {
    const inserted = distinctItems(ctx.rng, n);
    await expectRate(ctx, n, p, inserted, distinctItems(ctx.rng, queries, new Set(inserted)), [0.5, 1.6]);
  };
}

async function expectSizing(ctx: TestContext, n: number, p: number): Promise<void> {
  const f = await bloom(ctx, n, p);
  const { m, k } = sizing(n, p);
  expect(await f.bitCount, `new BloomFilter(${n}, ${p}).bitCount`).toBe(m);
  expect(await f.hashCount, `new BloomFilter(${n}, ${p}).hashCount`).toBe(k);
}

// prettier-ignore
const SIZINGS = [
  [1, 0.5], [1, 0.01], [3, 0.9], [7, 0.3], [10, 0.1], [64, 0.25], [100, 0.001],
  [999, 0.123], [2000, 0.05], [5000, 0.02], [12345, 0.0001], [50000, 0.001], [250000, 0.000001],
] as const;
// prettier-ignore
const INVALID = [
  [0, 0.01], [-5, 0.01], [1.5, 0.01], [Number.NaN, 0.01], [100, 0], [100, 1], [100, -0.1], [100, 1.5], [100, Number.NaN],
] as const;
// prettier-ignore
const UNUSUAL = [
  '', ' ', 'a', 'A', 'ä', 'é', '日本語', '🙂', '🙂🙂', 'x'.repeat(5000), '\u0000', 'line\nbreak', '"quoted"', 'user:1', 'user:10', 'user:100',
];

const slow = { timeoutMs: 30_000 };

export default defineSuites({
  correctness: [
    sample('sizing: 1000 items at 1% gives 9586 bits and 7 hashes', (ctx) => expectSizing(ctx, 1000, 0.01)),
    sample('every added item is reported present', async (ctx) => expectPresent(await bloom(ctx, 500, 0.01), distinctItems(ctx.rng, 500))),
    sample('an empty filter contains nothing', async (ctx) => {
      const got = await hasAll(await bloom(ctx, 100, 0.01), distinctItems(ctx.rng, 200));
      expect(got.filter((v) => v !== false).length, 'has() answers other than false on an empty filter').toBe(0);
    }),
    sample('false-positive rate near the target: 2000 items at 5%, 20000 absent queries', randomRate(2000, 0.05, 20_000), slow),

    test('sizing follows the formulas for many (n, p)', async (ctx) => {
      for (const [n, p] of SIZINGS) await expectSizing(ctx, n, p);
    }),
    test('invalid sizes throw a RangeError', async (ctx) => {
      for (const [n, p] of INVALID) await expectRejects(bloom(ctx, n, p), 'RangeError', `new BloomFilter(${n}, ${p})`);
    }),
    test('no false negatives for unusual strings', async (ctx) => expectPresent(await bloom(ctx, 50, 0.001), UNUSUAL)),
    test('no false negatives when filled to capacity', async (ctx) =>
      expectPresent(await bloom(ctx, 3000, 0.02), distinctItems(ctx.rng, 3000))),
    test(
      'filters of the largest n use all their bits: 250000 items at 50% (360674 bits) and at 10^-6 (7188793 bits)',
      async (ctx) => {
        // k = 1 and 5000 items: an ideal filter measures about 1.4%; one whose positions wrap at
        // 2^16 (or any width below m) crowds them into 65,536 bits and measures about 7%.
        const wide = distinctItems(ctx.rng, 5_000);
        await expectRate(ctx, 250_000, 0.5, wide, distinctItems(ctx.rng, 20_000, new Set(wide)), [0.5, 1.6]);
        // The largest filter: no false negatives and, far below capacity, no false positives.
        const [n, p] = [250_000, 0.000001];
        const inserted = distinctItems(ctx.rng, 1_000);
        const f = await bloom(ctx, n, p);
        await expectPresent(f, inserted);
        const positives = (await hasAll(f, distinctItems(ctx.rng, 2_000, new Set(inserted)))).filter((v) => v === true).length;
        const what = `new BloomFilter(${n}, ${p}) holding 1000 items: has() answers for 2000 never-added items`;
        if (positives > 2) fail(`${what}: ${positives} false positives where about 0 are expected`, '<= 2', positives);
      },
      slow,
    ),
    test('adding an item twice changes nothing', async (ctx) => {
      const f = await bloom(ctx, 10, 0.01);
      await f.add('twice');
      await f.add('twice');
      expect(await f.has('twice'), 'has("twice")').toBe(true);
    }),
    test('two filters do not share bits', async (ctx) => {
      const [a, b, items] = [await bloom(ctx, 1000, 0.01), await bloom(ctx, 1000, 0.01), distinctItems(ctx.rng, 1000)];
      await addAll(a, items);
      expect((await hasAll(b, items)).filter((v) => v === true).length, 'items of filter A reported present by an empty filter B').toBe(0);
    }),
    test('false-positive rate near the target: 2000 items at 1%, 40000 absent queries', randomRate(2000, 0.01, 40_000), slow),
    test(
      'false-positive rate stays near the target for sequential keys',
      async (ctx) => {
        const start = ctx.rng.int(0, 1_000_000);
        const keys = (from: number, count: number) => Array.from({ length: count }, (_, i) => `user:${from + i}`);
        // structured keys: only the upper bound (a decent hash may land below the ideal rate here)
        await expectRate(ctx, 3000, 0.02, keys(start, 3000), keys(start + 3000, 20_000), [0, 1.6]);
      },
      slow,
    ),
  ],

  complexity: [
    {
      operation: 'has',
      // half-octave steps from 2^8 to 2^16: more points make the fit robust to a noisy size
      sizes: Array.from({ length: 17 }, (_, i) => Math.round(2 ** (8 + i / 2))),
      // a filter sized for n items at 1% (k = 7 whatever n), holding n items; half the queries present
      workload: (n, rng) => ({
        construct: { className: 'BloomFilter', args: [n, 0.01] },
        setup: [{ method: 'add', argsList: Array.from({ length: n }, (_, i) => [`item-${i}`]) }],
        measure: {
          method: 'has',
          argsList: Array.from({ length: 1000 }, (_, i) => [
            i % 2 === 0 ? `item-${rng.int(0, n - 1)}` : `absent-${rng.int(0, 1_000_000_000)}`,
          ]),
          results: 'consistent', // false positives are the filter's own
        },
      }),
    },
    {
      operation: 'add',
      // a filter sized for n items at 1%, holding n items, timed adding fresh ones; at the end,
      // has() of the last items added must find them (once: a slow has() must not weigh on add)
      workload: (n) => ({
        construct: { className: 'BloomFilter', args: [n, 0.01] },
        setup: [{ method: 'add', argsList: [['item-0']], advance: { args: [0], by: 1 }, calls: n }],
        measure: {
          method: 'add',
          argsList: Array.from({ length: 1000 }, (_, i) => [`fresh-${i}`]),
          advance: { args: [0], by: 1000 },
          results: 'open',
        },
        verifyAtEnd: [{ method: 'has', argsList: [], echo: { args: [0], back: [1, 2, 3] } }],
      }),
    },
  ],
});
