// Slow: correct cursors over a sorted array, but every page walks the array from the start to
// find where the cursor (or afterId) is, so a deep page costs O(n) instead of O(log n + limit).
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

/** true when a comes before b in the feed (newest first) */
const before = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id > b.id;

export class Feed<T extends Row = Row> {
  private rows: T[] = []; // newest first

  constructor(rows: Iterable<T> = []) {
    const ids = new Set<string>();
    for (const r of rows) {
      if (ids.has(r.id)) throw new RangeError('duplicate id');
      ids.add(r.id);
      this.rows.push(r);
    }
    this.rows.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  }

  get size(): number {
    return this.rows.length;
  }

  insert(row: T): void {
    if (this.rows.some((r) => r.id === row.id)) throw new RangeError('duplicate id');
    const i = this.rows.findIndex((r) => before(row, r));
    if (i < 0) this.rows.push(row);
    else this.rows.splice(i, 0, row);
  }

  delete(id: string): boolean {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    return true;
  }

  page({ limit, cursor, afterId }: PageRequest): Page<T> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit');
    if (cursor != null && afterId !== undefined) throw new RangeError('cursor or afterId');
    let start = 0;
    if (cursor != null) {
      const pos = decode(cursor);
      start = this.rows.findIndex((r) => before(pos, r));
      if (start < 0) start = this.rows.length;
    } else if (afterId !== undefined) {
      const i = this.rows.findIndex((r) => r.id === afterId);
      if (i < 0) throw new RangeError('unknown afterId');
      start = i + 1;
    }
    const items = this.rows.slice(start, start + limit);
    const last = items[items.length - 1];
    return { items, nextCursor: last && start + limit < this.rows.length ? encode(last) : null };
  }
}

function encode(r: Row): string {
  return Buffer.from(JSON.stringify({ t: r.createdAt, i: r.id })).toString('base64url');
}

function decode(c: string): { createdAt: number; id: string } {
  try {
    const o = JSON.parse(Buffer.from(c, 'base64url').toString());
    if (typeof o?.t === 'number' && typeof o?.i === 'string' && encode({ createdAt: o.t, id: o.i }) === c)
      return { createdAt: o.t, id: o.i };
  } catch {
    // fall through
  }
  throw new InvalidCursorError('bad cursor');
}
