/** The feed under test, the specification it is checked against, and row helpers. */
import { expect, fail, outcome, type Remote, type Rng, type TestContext } from '@assay/sdk';

export type Row = { id: string; createdAt: number; [field: string]: unknown };
export type PageRequest = { limit: number; cursor?: string | null; afterId?: string };
export type Page = { items: Row[]; nextCursor: string | null };
export interface Feed {
  readonly size: number;
  insert(row: Row): void;
  delete(id: string): boolean;
  page(request: PageRequest): Page;
}
export type Key = readonly [number, string];

export const T0 = 1_700_000_000_000;
export const row = (id: string, minute: number, extra: Record<string, unknown> = {}): Row => ({
  id,
  createdAt: T0 + minute * 60_000,
  ...extra,
});
export const keyOf = (r: Row): Key => [r.createdAt, r.id];
export const ids = (rows: Row[]) => rows.map((r) => r.id);

/** Newest first: createdAt descending, then id descending (plain string comparison). */
export function before(a: Key, b: Key): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

/** The specification: the rows in feed order. */
export class Model {
  rows: Row[] = [];
  insert(r: Row): void {
    let i = 0;
    while (i < this.rows.length && before(keyOf(this.rows[i]!), keyOf(r))) i++;
    this.rows.splice(i, 0, r);
  }
  delete(id: string): void {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i >= 0) this.rows.splice(i, 1);
  }
  /** The page after position `after` (null: from the start). */
  page(after: Key | null, limit: number): { items: Row[]; more: boolean } {
    const rest = after ? this.rows.filter((r) => before(after, keyOf(r))) : this.rows;
    return { items: rest.slice(0, limit), more: rest.length > limit };
  }
}

/** A page, or a wrong answer saying what page() threw or returned instead. */
export async function getPage(feed: Remote<Feed>, req: PageRequest, what: string): Promise<Page> {
  const got = await outcome(feed.page(req));
  if ('error' in got) fail(`${what}: page(${JSON.stringify(req)}) threw ${got.error}: ${got.message}`);
  const page = got.ok;
  if (!page || !Array.isArray(page.items) || !(page.nextCursor === null || typeof page.nextCursor === 'string'))
    fail(`${what}: page() must return { items: Row[], nextCursor: string | null }`, '{ items, nextCursor }', page);
  return page;
}

/** Same rows in the same order as the model, nextCursor null exactly at the end. */
export function checkPage(got: Page, want: { items: Row[]; more: boolean }, what: string): void {
  expect(ids(got.items), `${what}: ids of the items`).toEqual(ids(want.items));
  expect(got.items, `${what}: items`).toEqual(want.items);
  if (want.more && got.nextCursor === null) fail(`${what}: nextCursor is null but more rows follow`, 'a cursor', null);
  if (!want.more && got.nextCursor !== null) fail(`${what}: nextCursor should be null, no row comes after this page`, null, got.nextCursor);
}

/** The candidate's feed and the model, changed together (the candidate first). */
export async function feedOf(ctx: TestContext, rows: Row[]) {
  const feed = await ctx.construct<Feed>('Feed');
  const model = new Model();
  const both = {
    feed,
    model,
    async insert(...added: Row[]) {
      for (const r of added) {
        await feed.insert(r);
        model.insert(r);
      }
    },
    /** What the candidate's delete answered. */
    async remove(id: string) {
      const removed = await feed.delete(id);
      model.delete(id);
      return removed;
    },
  };
  await both.insert(...rows);
  return both;
}
export type Both = Awaited<ReturnType<typeof feedOf>>;

/** The whole feed page by page, each page checked; `between` may change both before the next page. */
export async function walk(w: Pick<Both, 'feed' | 'model'>, limit: number, between?: (pageNo: number, last: Key) => Promise<void>) {
  const seen: Row[] = [];
  let cursor: string | null = null;
  let after: Key | null = null;
  for (let pageNo = 1; pageNo <= 10_000; pageNo++) {
    const got = await getPage(w.feed, cursor === null ? { limit } : { limit, cursor }, `page ${pageNo}`);
    checkPage(got, w.model.page(after, limit), `page ${pageNo}`);
    seen.push(...got.items);
    if (got.nextCursor === null) return seen;
    cursor = got.nextCursor;
    after = keyOf(got.items[got.items.length - 1]!);
    if (between) await between(pageNo, after);
  }
  return fail('the walk never ended');
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomId(rng: Rng, used: Set<string>): string {
  for (;;) {
    const id = Array.from({ length: rng.int(2, 7) }, () => ALNUM[rng.int(0, ALNUM.length - 1)]).join('');
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}
export function randomRow(rng: Rng, used: Set<string>, spanMinutes: number): Row {
  const id = randomId(rng, used);
  const r: Row = { id, createdAt: T0 + rng.int(0, spanMinutes) * 60_000 };
  if (rng.next() < 0.5) r.title = `order ${id}`;
  if (rng.next() < 0.3) r.total = { cents: rng.int(1, 99_999), currency: 'EUR' };
  return r;
}
export const randomRows = (rng: Rng, n: number, span: number, used = new Set<string>()) =>
  Array.from({ length: n }, () => randomRow(rng, used, span));
export const minutes = (n: number, id = (i: number) => `r${i}`, step = 1) => Array.from({ length: n }, (_, i) => row(id(i), i * step));
