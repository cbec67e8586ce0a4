/**
 * What a cursor is: a position, valid on any feed (another instance, a feed rebuilt after a
 * restart), and exactly the strings a feed returns as nextCursor: anything else, even a real
 * cursor with a character added or a field changed, is refused with InvalidCursorError.
 */
import { expect, fail, outcome, test, type Remote } from '@assay/sdk';
import { checkPage, feedOf, getPage, ids, keyOf, row, T0, type Feed, type Key, type Page, type Row } from './harness.js';

/** The position (createdAt, id) of `target` and the cursor a page ending on it returned. */
async function cursorAt(feed: Remote<Feed>, rows: Row[], target: string): Promise<{ cursor: string; at: Key }> {
  const i = rows.findIndex((r) => r.id === target);
  const req = i === 0 ? { limit: 1 } : { limit: 1, afterId: rows[i - 1]!.id };
  const p = await getPage(feed, req, `the page ending on "${target}"`);
  expect(ids(p.items), `the page ending on "${target}"`).toEqual([target]);
  if (p.nextCursor === null) return fail(`the page ending on "${target}" has rows after it but a null nextCursor`);
  return { cursor: p.nextCursor, at: keyOf(rows[i]!) };
}

/** Feed order, newest first, of rows given in any order. */
const newestFirst = (rows: Row[]) =>
  [...rows].sort((a, b) => (a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

/** The ways a cursor might hold JSON, so that a test can change what is inside it. */
const INFINITE = '__infinite__';
const toJson = (v: unknown) => JSON.stringify(v).replaceAll(`"${INFINITE}"`, '1e999');
const viaBuffer = (encoding: 'base64' | 'base64url') => ({
  name: `${encoding} of JSON`,
  decode(c: string): unknown {
    if (Buffer.from(c, encoding).toString(encoding) !== c) throw new Error('not canonical');
    return JSON.parse(Buffer.from(c, encoding).toString('utf8'));
  },
  encode: (v: unknown) => Buffer.from(toJson(v), 'utf8').toString(encoding),
});
const JSON_FORMATS = [
  { name: 'JSON', decode: (c: string): unknown => JSON.parse(c), encode: toJson },
  viaBuffer('base64url'),
  viaBuffer('base64'),
];

/**
 * Every value made from `v` by one change that leaves no position: an array element or an object
 * field removed or added, the createdAt or id of `at` (found by value) of another type or not
 * finite, any other field (a version tag, say) of another type.
 */
function tampered(v: unknown, at: Key): [string, unknown][] {
  const out: [string, unknown][] = [];
  const visit = (node: unknown, put: (x: unknown) => unknown, where: string) => {
    if (Array.isArray(node)) {
      if (node.length > 0) out.push([`${where} without its last element`, put(node.slice(0, -1))]);
      out.push([`${where} with an extra element`, put([...node, 0])]);
      node.forEach((x, i) => visit(x, (y) => put(node.map((old, j) => (j === i ? y : old))), `${where}[${i}]`));
    } else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      out.push([`${where} with an extra field`, put({ ...o, extraField: 0 })]);
      for (const k of Object.keys(o)) {
        const { [k]: _dropped, ...rest } = o;
        out.push([`${where} without its field ${k}`, put(rest)]);
        visit(o[k], (y) => put({ ...o, [k]: y }), `${where}.${k}`);
      }
    } else if (node === at[0]) {
      for (const [what, y] of [
        ['a string', String(node)],
        ['null', null],
        ['infinite', INFINITE],
        ['in an array', [node]],
      ] as const)
        out.push([`${where} (the createdAt) ${what}`, put(y)]);
    } else if (node === at[1]) {
      for (const [what, y] of [
        ['a number', 7],
        ['null', null],
        ['in an array', [node]],
      ] as const)
        out.push([`${where} (the id) ${what}`, put(y)]);
    } else if (typeof node === 'string') out.push([`${where} (a string) a number`, put(1)], [`${where} (a string) null`, put(null)]);
    else if (typeof node === 'number')
      out.push([`${where} (a number) a string`, put(String(node))], [`${where} (a number) null`, put(null)]);
  };
  visit(v, (x) => x, 'the value');
  return out;
}

/** Rows at one createdAt whose ids are the target's id with each junk character before it. */
const JUNK = [' ', '\n', '%', '=', '==', '!', '"', '.', '\u00e9'];
const T = T0 + 5 * 60_000;
const junkRows = (): Row[] => [
  row('newer', 9),
  row('row-m', 5),
  ...JUNK.map((j, i) => ({ id: `${j}row-m`, createdAt: T, n: i })),
  row('row-a', 5),
  row('older', 1),
];

async function refused(feed: Remote<Feed>, cursor: unknown, names: string[], what: string): Promise<void> {
  const got = await outcome(feed.page({ limit: 50, cursor: cursor as string }));
  if ('ok' in got) fail(`${what}: page() returned a page, expected a ${names.join(' or a ')}`, names[0], ids((got.ok as Page).items));
  if (!names.includes(got.error))
    fail(`${what}: expected a ${names.join(' or a ')}, got ${got.error}: ${got.message}`, names[0], got.error);
}

export const cursors = [
  test('a cursor from another feed names the same position there, as after a restart', async (ctx) => {
    const aRows = [row('a1', 1), row('a2', 3), row('a3', 5), row('m', 5), row('a5', 7), row('a6', 7), row('a0', 0)];
    const a = await feedOf(ctx, aRows);
    const b = await feedOf(ctx, [row('b1', 2), row('b2', 4), row('l', 5), row('n', 5), row('b5', 6), row('b6', 8), row('a3', 5)]);
    const restarted = await feedOf(ctx, aRows); // a new feed holding the same rows
    const inOrder = newestFirst(aRows);
    for (const r of inOrder.slice(0, -1)) {
      const { cursor, at } = await cursorAt(a.feed, inOrder, r.id);
      const what = `a cursor after "${r.id}" (createdAt ${r.createdAt - T0})`;
      checkPage(
        await getPage(b.feed, { limit: 3, cursor }, `${what}, used on another feed`),
        b.model.page(at, 3),
        `${what} on another feed`,
      );
      const again = await getPage(restarted.feed, { limit: 3, cursor }, `${what}, used on a new feed with the same rows`);
      checkPage(again, restarted.model.page(at, 3), `${what} on a new feed with the same rows`);
    }
  }),
  test('a cursor with characters added before or after it never passes for the original', async (ctx) => {
    const rows = junkRows();
    const w = await feedOf(ctx, rows);
    const { cursor, at } = await cursorAt(w.feed, newestFirst(rows), 'row-m');
    const original = ids((await getPage(w.feed, { limit: 50, cursor }, 'the original cursor')).items);
    expect(original, 'the page after the original cursor').toEqual(ids(w.model.page(at, 50).items));
    for (const s of JUNK.flatMap((j) => [j + cursor, cursor + j, `${j}${cursor}${j}`])) {
      // Refused, or (only when your format could produce this string) the page of another position.
      const what = `page() with the cursor changed to ${JSON.stringify(s)}`;
      const got = await outcome(w.feed.page({ limit: 50, cursor: s }));
      if ('error' in got && got.error !== 'InvalidCursorError') fail(`${what}: expected an InvalidCursorError, got ${got.error}`);
      if ('ok' in got && JSON.stringify(ids((got.ok as Page).items)) === JSON.stringify(original))
        fail(`${what}: returned the original cursor's page; a string no page returns as nextCursor is not a cursor`);
    }
  }),
  test('a cursor with a field removed, added or of another type inside is refused', async (ctx) => {
    const rows = junkRows();
    const w = await feedOf(ctx, rows);
    const { cursor, at } = await cursorAt(w.feed, newestFirst(rows), 'row-m');
    for (const format of JSON_FORMATS) {
      let inside: unknown;
      try {
        inside = format.decode(cursor);
      } catch {
        continue; // not this format: nothing to change inside
      }
      for (const [change, v] of tampered(inside, at))
        await refused(w.feed, format.encode(v), ['InvalidCursorError'], `a cursor (${format.name}) with ${change}`);
    }
  }),
  test('cursor: null with afterId is a page after that row, and cursor: null alone the first page', async (ctx) => {
    const rows = [row('a', 1), row('b', 2), row('c', 3), row('d', 4)];
    const w = await feedOf(ctx, rows);
    const what = 'page({ limit: 2, cursor: null, afterId: "c" })';
    checkPage(await getPage(w.feed, { limit: 2, cursor: null, afterId: 'c' }, what), w.model.page(keyOf(rows[2]!), 2), what);
    checkPage(await getPage(w.feed, { limit: 3, cursor: null }, 'page({ limit: 3, cursor: null })'), w.model.page(null, 3), 'cursor: null');
  }),
  test('a cursor that is not a string is refused', async (ctx) => {
    const { feed } = await feedOf(ctx, [row('a', 1), row('b', 2), row('c', 3)]);
    for (const cursor of [42, true, {}, [1], { createdAt: T0, id: 'a' }])
      await refused(feed, cursor, ['InvalidCursorError', 'TypeError'], `page({ cursor: ${JSON.stringify(cursor)} })`);
  }),
];
