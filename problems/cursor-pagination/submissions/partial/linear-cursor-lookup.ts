export interface Row {
  id: string;
  createdAt: number;
  [field: string]: unknown;
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
  afterId?: string;
}

export interface Page<T extends Row = Row> {
  items: T[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

type Key = readonly [createdAt: number, id: string];

/** Ascending (createdAt, id); the feed is read from the end (newest first). */
function compare(a: Key, b: Key): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

const keyOf = (r: Row): Key => [r.createdAt, r.id];

function encodeCursor(k: Key): string {
  return Buffer.from(JSON.stringify(['c1', k[0], k[1]]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Key {
  let parsed: unknown;
  try {
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor issued by this feed');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== 'c1' ||
    typeof parsed[1] !== 'number' ||
    !Number.isFinite(parsed[1]) ||
    typeof parsed[2] !== 'string'
  )
    throw new InvalidCursorError('not a cursor issued by this feed');
  return [parsed[1], parsed[2]];
}

export class Feed<T extends Row = Row> {
  /** Sorted ascending by (createdAt, id). */
  private readonly rows: T[] = [];
  private readonly byId = new Map<string, T>();

  constructor(rows: Iterable<T> = []) {
    for (const r of rows) {
      this.check(r);
      this.byId.set(r.id, r);
      this.rows.push(r);
    }
    this.rows.sort((a, b) => compare(keyOf(a), keyOf(b)));
  }

  get size(): number {
    return this.rows.length;
  }

  insert(row: T): void {
    this.check(row);
    this.rows.splice(this.lowerBound(keyOf(row)), 0, row);
    this.byId.set(row.id, row);
  }

  delete(id: string): boolean {
    const row = this.byId.get(id);
    if (!row) return false;
    this.byId.delete(id);
    this.rows.splice(this.lowerBound(keyOf(row)), 1);
    return true;
  }

  page(request: PageRequest): Page<T> {
    const { limit, cursor, afterId } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit must be an integer from 1 to 1000');
    if (cursor != null && afterId !== undefined) throw new RangeError('give either cursor or afterId, not both');
    let end = this.rows.length; // rows[0, end) are "after" the position, newest at end-1
    if (cursor != null) {
      // The cursor's row, found by walking the rows: O(n) on every page read through a cursor.
      const k = decodeCursor(cursor);
      end = this.rows.findIndex((r) => compare(keyOf(r), k) >= 0);
      if (end < 0) end = this.rows.length;
    } else if (afterId !== undefined) {
      const row = this.byId.get(afterId);
      if (!row) throw new RangeError(`no row with id ${afterId}`);
      end = this.lowerBound(keyOf(row));
    }
    const start = Math.max(0, end - limit);
    const items = this.rows.slice(start, end).reverse();
    const last = items[items.length - 1];
    return { items, nextCursor: last && start > 0 ? encodeCursor(keyOf(last)) : null };
  }

  /** First index whose key is >= k. */
  private lowerBound(k: Key): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(keyOf(this.rows[mid]!), k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private check(row: T): void {
    if (!row || typeof row.id !== 'string' || typeof row.createdAt !== 'number' || !Number.isFinite(row.createdAt))
      throw new TypeError('a row needs a string id and a finite createdAt');
    if (this.byId.has(row.id)) throw new RangeError(`duplicate id ${row.id}`);
  }
}
