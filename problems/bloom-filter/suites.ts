import { defineSuites, expect, expectRejects, fail, sample, test, type RemoteObject, type Rng, type TestContext } from '@assay/sdk';

/** The sizing the statement specifies. */
function sizing(n: number, p: number): { m: number; k: number } {
  const m = Math.ceil((-n * Math.log(p)) / (Math.LN2 * Math.LN2));
  return { m, k: Math.max(1, Math.round((m / n) * Math.LN2)) };
}

/** False-positive rate of an ideal filter with m bits and k independent uniform hashes holding n items. */
function idealRate(n: number, p: number): number {
  const { m, k } = sizing(n, p);
  return (1 - Math.exp((-k * n) / m)) ** k;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.';
function randomItem(rng: Rng): string {
  let s = '';
  const len = rng.int(4, 24);
  for (let i = 0; i < len; i++) s += ALPHABET[rng.int(0, ALPHABET.length - 1)];
  return s;
}

/** `count` distinct random strings, none of them in `exclude`. */
function distinctItems(rng: Rng, count: number, exclude: Set<string> = new Set()): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const s = randomItem(rng);
    if (!exclude.has(s)) out.add(s);
  }
  return [...out];
}

/** Calls `method` for every item, 500 calls in flight at a time; returns the results in order. */
async function callAll(f: RemoteObject, method: string, items: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += 500) out.push(...(await Promise.all(items.slice(i, i + 500).map((s) => f.call(method, s)))));
  return out;
}

async function noFalseNegatives(f: RemoteObject, items: string[]): Promise<void> {
  const got = await callAll(f, 'has', items);
  const missing = items.filter((_, i) => got[i] !== true);
  if (missing.length > 0)
    fail(
      `has() returned false for ${missing.length} of ${items.length} added items, e.g. ${JSON.stringify(missing.slice(0, 3))} (a Bloom filter never has false negatives)`,
      true,
      false,
    );
}

/**
 * Adds n items, checks none is missing, then measures the false-positive rate on `queries` items
 * that were never added. The rate must lie within [low, high] × the ideal filter's rate; the band
 * is many standard deviations wide, so a correct filter passes whatever the seed.
 */
async function measureRate(
  ctx: TestContext,
  opts: { n: number; p: number; inserted: string[]; queries: string[]; low: number; high: number },
) {
  const { n, p, inserted, queries } = opts;
  const f = await ctx.subject.construct('BloomFilter', n, p);
  await callAll(f, 'add', inserted);
  await noFalseNegatives(f, inserted);
  const got = await callAll(f, 'has', queries);
  const positives = got.filter((v) => v === true).length;
  const rate = positives / queries.length;
  const ideal = idealRate(n, p);
  const fmt = (x: number) => `${(x * 100).toFixed(2)}%`;
  if (rate > opts.high * ideal)
    fail(
      `false-positive rate ${fmt(rate)} (${positives} of ${queries.length} absent items) is far above the target ${fmt(p)} (an ideal filter of this size measures about ${fmt(ideal)}; allowed up to ${fmt(opts.high * ideal)})`,
      `<= ${fmt(opts.high * ideal)}`,
      fmt(rate),
    );
  if (rate < opts.low * ideal)
    fail(
      `false-positive rate ${fmt(rate)} is far below what a filter of the specified size gives (${fmt(ideal)}): check the sizing and that has() really tests the bits`,
      `>= ${fmt(opts.low * ideal)}`,
      fmt(rate),
    );
}

async function checkSizing(ctx: TestContext, n: number, p: number): Promise<void> {
  const f = await ctx.subject.construct('BloomFilter', n, p);
  const { m, k } = sizing(n, p);
  expect(await f.prop('bitCount'), `new BloomFilter(${n}, ${p}).bitCount`).toBe(m);
  expect(await f.prop('hashCount'), `new BloomFilter(${n}, ${p}).hashCount`).toBe(k);
}

const HALF_OCTAVES = Array.from({ length: 17 }, (_, i) => Math.round(2 ** (8 + i / 2)));

export default defineSuites({
  correctness: [
    sample('sizing: 1000 items at 1% gives 9586 bits and 7 hashes', async (ctx) => {
      await checkSizing(ctx, 1000, 0.01);
    }),
    sample('every added item is reported present', async (ctx) => {
      const f = await ctx.subject.construct('BloomFilter', 500, 0.01);
      const items = distinctItems(ctx.rng, 500);
      await callAll(f, 'add', items);
      await noFalseNegatives(f, items);
    }),
    sample('an empty filter contains nothing', async (ctx) => {
      const f = await ctx.subject.construct('BloomFilter', 100, 0.01);
      const got = await callAll(f, 'has', distinctItems(ctx.rng, 200));
      expect(got.filter((v) => v !== false).length, 'has() answers other than false on an empty filter').toBe(0);
    }),
    sample(
      'false-positive rate near the target: 2000 items at 5%, 20000 absent queries',
      async (ctx) => {
        const inserted = distinctItems(ctx.rng, 2000);
        const queries = distinctItems(ctx.rng, 20_000, new Set(inserted));
        await measureRate(ctx, { n: 2000, p: 0.05, inserted, queries, low: 0.5, high: 1.6 });
      },
      { timeoutMs: 30_000 },
    ),

    test('sizing follows the formulas for many (n, p)', async (ctx) => {
      const pairs: Array<[number, number]> = [
        [1, 0.5],
        [1, 0.01],
        [3, 0.9],
        [7, 0.3],
        [10, 0.1],
        [64, 0.25],
        [100, 0.001],
        [999, 0.123],
        [2000, 0.05],
        [5000, 0.02],
        [12345, 0.0001],
        [50000, 0.001],
        [250000, 0.000001],
      ];
      for (const [n, p] of pairs) await checkSizing(ctx, n, p);
    }),
    test('invalid sizes throw a RangeError', async (ctx) => {
      const bad: Array<[number, number]> = [
        [0, 0.01],
        [-5, 0.01],
        [1.5, 0.01],
        [100, 0],
        [100, 1],
        [100, -0.1],
        [100, 1.5],
      ];
      for (const [n, p] of bad)
        await expectRejects(ctx.subject.construct('BloomFilter', n, p), 'RangeError', `new BloomFilter(${n}, ${p})`);
    }),
    test('no false negatives for unusual strings', async (ctx) => {
      const items = [
        '',
        ' ',
        'a',
        'A',
        'ä',
        'é',
        '日本語',
        '🙂',
        '🙂🙂',
        'x'.repeat(5000),
        '\u0000',
        'line\nbreak',
        '"quoted"',
        'user:1',
        'user:10',
        'user:100',
      ];
      const f = await ctx.subject.construct('BloomFilter', 50, 0.001);
      await callAll(f, 'add', items);
      await noFalseNegatives(f, items);
    }),
    test('no false negatives when filled to capacity', async (ctx) => {
      const f = await ctx.subject.construct('BloomFilter', 3000, 0.02);
      const items = distinctItems(ctx.rng, 3000);
      await callAll(f, 'add', items);
      await noFalseNegatives(f, items);
    }),
    test('adding an item twice changes nothing', async (ctx) => {
      const f = await ctx.subject.construct('BloomFilter', 10, 0.01);
      await f.call('add', 'twice');
      await f.call('add', 'twice');
      expect(await f.call('has', 'twice'), 'has("twice")').toBe(true);
    }),
    test('two filters do not share bits', async (ctx) => {
      const a = await ctx.subject.construct('BloomFilter', 1000, 0.01);
      const b = await ctx.subject.construct('BloomFilter', 1000, 0.01);
      const items = distinctItems(ctx.rng, 1000);
      await callAll(a, 'add', items);
      const got = await callAll(b, 'has', items);
      expect(got.filter((v) => v === true).length, 'items of filter A reported present by an empty filter B').toBe(0);
    }),
    test(
      'false-positive rate near the target: 2000 items at 1%, 40000 absent queries',
      async (ctx) => {
        const inserted = distinctItems(ctx.rng, 2000);
        const queries = distinctItems(ctx.rng, 40_000, new Set(inserted));
        await measureRate(ctx, { n: 2000, p: 0.01, inserted, queries, low: 0.5, high: 1.6 });
      },
      { timeoutMs: 30_000 },
    ),
    test(
      'false-positive rate stays near the target for sequential keys',
      async (ctx) => {
        const start = ctx.rng.int(0, 1_000_000);
        const inserted = Array.from({ length: 3000 }, (_, i) => `user:${start + i}`);
        const queries = Array.from({ length: 20_000 }, (_, i) => `user:${start + 3000 + i}`);
        // structured keys: only the upper bound (a decent hash may land below the ideal rate here)
        await measureRate(ctx, { n: 3000, p: 0.02, inserted, queries, low: 0, high: 1.6 });
      },
      { timeoutMs: 30_000 },
    ),
  ],

  complexity: [
    {
      operation: 'has',
      // half-octave steps from 2^8 to 2^16: more points make the fit robust to a noisy size
      sizes: HALF_OCTAVES,
      workload(n, rng) {
        // a filter sized for n items at 1% (k = 7 whatever n), holding n items; half the queries present
        const items = Array.from({ length: n }, (_, i) => [`item-${i}`]);
        const queries = Array.from({ length: 1000 }, (_, i) => [
          i % 2 === 0 ? `item-${rng.int(0, n - 1)}` : `absent-${rng.int(0, 1_000_000_000)}`,
        ]);
        return {
          construct: { className: 'BloomFilter', args: [n, 0.01] },
          setup: [{ method: 'add', argsList: items }],
          measure: { method: 'has', argsList: queries },
        };
      },
    },
  ],
});
