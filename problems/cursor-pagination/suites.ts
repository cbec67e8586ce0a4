import { defineSuites, expect, expectRejects, sample, test, type ProbeDef } from '@assay/sdk';
import {
  type Feed,
  T0,
  row,
  keyOf,
  ids,
  Model,
  getPage,
  checkPage,
  feedOf,
  walk,
  randomId,
  randomRow,
  randomRows,
  minutes,
} from './suites/harness.js';
import { cursors } from './suites/cursors.js';

const correctness = [
  sample('pages through the rows newest first', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2), row('c', 3), row('d', 4), row('e', 5), row('f', 6), row('g', 7)]);
    const p1 = await getPage(feed, { limit: 3 }, 'page 1');
    expect(ids(p1.items), 'page 1 ids').toEqual(['g', 'f', 'e']);
    expect(typeof p1.nextCursor, 'page 1 nextCursor').toBe('string');
    const p2 = await getPage(feed, { limit: 3, cursor: p1.nextCursor }, 'page 2');
    expect(ids(p2.items), 'page 2 ids').toEqual(['d', 'c', 'b']);
    const p3 = await getPage(feed, { limit: 3, cursor: p2.nextCursor }, 'page 3');
    expect(ids(p3.items), 'page 3 ids').toEqual(['a']);
    expect(p3.nextCursor, 'page 3 nextCursor').toBe(null);
  }),
  sample('rows with the same createdAt are ordered by id, descending, across page boundaries', async (ctx) => {
    const w = await feedOf(ctx, [row('x1', 5), row('x3', 5), row('x2', 5), row('x5', 5), row('x4', 5), row('old', 1)]);
    expect(ids(await walk(w, 2)), 'ids over all pages').toEqual(['x5', 'x4', 'x3', 'x2', 'x1', 'old']);
  }),
  sample('nextCursor is null on the last page, even when it is full', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2), row('c', 3), row('d', 4)]);
    const p1 = await getPage(feed, { limit: 2 }, 'page 1');
    const p2 = await getPage(feed, { limit: 2, cursor: p1.nextCursor }, 'page 2');
    expect(ids(p2.items), 'page 2 ids').toEqual(['b', 'a']);
    expect(p2.nextCursor, 'page 2 nextCursor').toBe(null);
    const whole = await getPage(feed, { limit: 5 }, 'a page larger than the feed');
    expect(whole.nextCursor, 'nextCursor when everything fits').toBe(null);
  }),
  sample('rows inserted and deleted between pages cause no duplicates and no skips', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2), row('c', 3), row('d', 4), row('e', 5), row('f', 6)]);
    const p1 = await getPage(feed, { limit: 2 }, 'page 1');
    expect(ids(p1.items), 'page 1 ids').toEqual(['f', 'e']);
    await feed.insert(row('new', 9)); // newer than the cursor: belongs to pages already read
    await feed.delete('f'); // already seen
    await feed.delete('c'); // not seen yet: must not appear
    const p2 = await getPage(feed, { limit: 2, cursor: p1.nextCursor }, 'page 2');
    expect(ids(p2.items), 'page 2 ids').toEqual(['d', 'b']);
    const p3 = await getPage(feed, { limit: 2, cursor: p2.nextCursor }, 'page 3');
    expect(ids(p3.items), 'page 3 ids').toEqual(['a']);
    expect(p3.nextCursor, 'page 3 nextCursor').toBe(null);
  }),

  test('an empty feed has one empty page', async (ctx) => {
    const feed = await ctx.construct<Feed>('Feed');
    expect(await getPage(feed, { limit: 10 }, 'empty feed'), 'page of an empty feed').toEqual({ items: [], nextCursor: null });
    expect(await feed.size, 'size').toBe(0);
  }),
  test('many rows sharing one createdAt, pages of every size', async (ctx) => {
    const used = new Set<string>();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: randomId(ctx.rng, used),
      createdAt: T0 + (i < 30 ? 0 : 60_000 * ctx.rng.int(-2, 2)),
    }));
    const w = await feedOf(ctx, ctx.rng.shuffle(rows));
    for (const limit of [1, 2, 3, 7, 10, 29, 30, 31, 40, 41])
      expect((await walk(w, limit)).length, `rows seen with limit ${limit}`).toBe(40);
  }),
  test('ids compare as plain strings (mixed case, digits)', async (ctx) => {
    const w = await feedOf(ctx, ctx.rng.shuffle(['b', 'B', 'a', 'A', 'a10', 'a9', 'Z', 'z', '_', '0'].map((id) => row(id, 3))));
    expect(ids(await walk(w, 3)), 'ids in order').toEqual(['z', 'b', 'a9', 'a10', 'a', '_', 'Z', 'B', 'A', '0']);
  }),
  test('a cursor whose row was deleted still continues from the same place', async (ctx) => {
    const w = await feedOf(ctx, minutes(9));
    const p1 = await getPage(w.feed, { limit: 3 }, 'page 1'); // r8 r7 r6
    await w.remove('r6');
    await w.remove('r7');
    const what = 'page 2 after deleting the cursor row';
    checkPage(await getPage(w.feed, { limit: 3, cursor: p1.nextCursor }, what), w.model.page(keyOf(p1.items[2]!), 3), what);
  }),
  test('rows inserted behind the cursor show up, rows inserted ahead of it do not', async (ctx) => {
    const w = await feedOf(ctx, minutes(10, undefined, 10));
    await walk(w, 3, async (pageNo, [lastAt]) => {
      const lastMinute = (lastAt - T0) / 60_000;
      await w.insert(row(`ahead${pageNo}`, 200 + pageNo), row(`behind${pageNo}`, lastMinute - 1), row(`tie${pageNo}`, lastMinute));
    });
  }),
  test('deleting rows not yet read shifts nothing: no row is skipped', async (ctx) => {
    const w = await feedOf(
      ctx,
      minutes(30, (i) => `r${String(i).padStart(2, '0')}`),
    );
    await walk(w, 4, async () => {
      // the three oldest rows have not been read yet; the newest one has
      const unread = w.model.rows.slice(-3);
      const victim = unread.length > 0 ? ctx.rng.pick(unread) : undefined;
      if (victim) expect(await w.remove(victim.id), `delete("${victim.id}")`).toBe(true);
      const read = w.model.rows[0];
      if (read) expect(await w.remove(read.id), `delete("${read.id}")`).toBe(true);
    });
  }),
  test('random inserts and deletes between pages match the specification', async (ctx) => {
    for (let round = 0; round < 12; round++) {
      const used = new Set<string>();
      const span = ctx.rng.pick([3, 20, 500]);
      const w = await feedOf(ctx, randomRows(ctx.rng, ctx.rng.int(0, 60), span, used));
      await walk(w, ctx.rng.int(1, 12), async () => {
        for (let k = ctx.rng.int(0, 4); k > 0; k--) {
          if (ctx.rng.next() < 0.5 || w.model.rows.length === 0) await w.insert(randomRow(ctx.rng, used, span));
          else {
            const victim = ctx.rng.pick(w.model.rows);
            expect(await w.remove(victim.id), `delete("${victim.id}")`).toBe(true);
          }
        }
      });
      expect(await w.feed.size, `size after round ${round + 1}`).toBe(w.model.rows.length);
    }
  }),
  test('afterId starts right after the given row', async (ctx) => {
    const { feed, model } = await feedOf(ctx, randomRows(ctx.rng, 50, 10));
    for (let i = 0; i < 15; i++) {
      const r = ctx.rng.pick(model.rows);
      const limit = ctx.rng.int(1, 8);
      const what = `page({ limit: ${limit}, afterId: "${r.id}" })`;
      const got = await getPage(feed, { limit, afterId: r.id }, what);
      checkPage(got, model.page(keyOf(r), limit), what);
      if (got.nextCursor === null) continue;
      const next = await getPage(feed, { limit, cursor: got.nextCursor }, 'the page after it');
      checkPage(next, model.page(keyOf(got.items[got.items.length - 1]!), limit), 'the page after it');
    }
  }),
  test('rows keep their extra fields', async (ctx) => {
    const r = { id: 'o-1', createdAt: T0, customer: { name: 'Ada', tags: ['vip'] }, total: 1999, note: null, paid: true };
    const { feed } = await feedOf(ctx, [r]);
    expect((await getPage(feed, { limit: 1 }, 'page')).items, 'items').toEqual([r]);
  }),
  test('rows passed to the constructor are indexed like inserted ones', async (ctx) => {
    const rows = randomRows(ctx.rng, 25, 5);
    const feed = await ctx.construct<Feed>('Feed', rows);
    const model = new Model();
    rows.forEach((r) => model.insert(r));
    expect(await feed.size, 'size').toBe(25);
    await walk({ feed, model }, 4);
    await expectRejects(feed.insert({ ...rows[3]!, createdAt: T0 }), 'RangeError', 'insert of an id given to the constructor');
  }),
  test('insert rejects duplicate ids; delete reports whether it removed a row; size follows', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2)]);
    await expectRejects(feed.insert(row('a', 9)), 'RangeError', 'insert of a duplicate id');
    expect(await feed.size, 'size').toBe(2);
    expect(await feed.delete('zzz'), 'delete of a missing id').toBe(false);
    expect(await feed.delete('a'), 'delete("a")').toBe(true);
    expect(await feed.delete('a'), 'delete("a") again').toBe(false);
    expect(await feed.size, 'size').toBe(1);
    await feed.insert(row('a', 9));
    expect(ids((await getPage(feed, { limit: 5 }, 'page')).items), 'ids').toEqual(['a', 'b']);
  }),
  test('invalid requests: bad limit, unknown afterId, cursor and afterId together, foreign cursors', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2), row('c', 3)]);
    for (const limit of [0, -1, 2.5, 1001]) await expectRejects(feed.page({ limit }), 'RangeError', `page({ limit: ${limit} })`);
    await getPage(feed, { limit: 1000 }, 'limit 1000');
    await expectRejects(feed.page({ limit: 2, afterId: 'nope' }), 'RangeError', 'page() with an unknown afterId');
    const p = await getPage(feed, { limit: 1 }, 'page 1');
    await expectRejects(feed.page({ limit: 2, cursor: p.nextCursor, afterId: 'a' }), 'RangeError', 'page() with both cursor and afterId');
    for (const cursor of ['not-a-cursor', '%%%', 'eyJ4IjoxfQ', '{"createdAt":1}'])
      await expectRejects(feed.page({ limit: 2, cursor }), 'InvalidCursorError', `page({ cursor: ${JSON.stringify(cursor)} })`);
    const again = await getPage(feed, { limit: 1, cursor: null }, 'cursor: null means the first page');
    expect(ids(again.items), 'cursor: null').toEqual(['c']);
  }),
  test('a cursor stays valid after many changes', async (ctx) => {
    const used = new Set<string>();
    const w = await feedOf(ctx, randomRows(ctx.rng, 30, 30, used));
    const p1 = await getPage(w.feed, { limit: 5 }, 'page 1');
    for (let i = 0; i < 40; i++) {
      if (i % 2 === 0) await w.insert(randomRow(ctx.rng, used, 30));
      else await w.remove(ctx.rng.pick(w.model.rows).id);
    }
    const what = 'page 2, forty changes later';
    checkPage(await getPage(w.feed, { limit: 5, cursor: p1.nextCursor }, what), w.model.page(keyOf(p1.items[4]!), 5), what);
  }),
];

/**
 * Quarter-octave steps from 2^11 (2048) to 2^15.5 (46341 rows): many points keep the fit robust
 * to one noisy size; from 2^11 up a linear page's scan dominates its fixed cost (encoding a
 * cursor), and below 2^16 the rows stay clear of the cache cliff where scanning jumps in cost.
 */
const PROBE_SIZES = Array.from({ length: 19 }, (_, i) => Math.round(2 ** (11 + i / 4)));
const rid = (i: number) => `r${String(i).padStart(6, '0')}`;

const complexity: ProbeDef[] = [
  {
    operation: 'page',
    sizes: PROBE_SIZES,
    // n rows given to the constructor (no per-row setup calls); two rows per createdAt.
    workload: (n, rng) => ({
      construct: {
        className: 'Feed',
        args: [Array.from({ length: n }, (_, i) => ({ id: rid(i), createdAt: T0 + Math.floor(i / 2) * 1000 }))],
      },
      setup: [],
      // Pairs: a page after a random row, then the page its nextCursor names (a cursor only the
      // solution can make): both ways of naming a position are timed, items checked strictly.
      measure: {
        method: 'page',
        argsList: Array.from({ length: 1000 }, (_, i) => [i % 2 === 0 ? { limit: 5, afterId: rid(rng.int(11, n - 1)) } : { limit: 5 }]),
        compare: 'items',
        chain: { every: 2, arg: 0, key: 'cursor', from: 'nextCursor' },
      },
    }),
  },
];

export default defineSuites({ correctness: [...correctness, ...cursors], complexity });
