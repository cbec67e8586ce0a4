// Wrong: the cursor is just the id of the last row (Stripe's starting_after), looked up at
// read time. When that row is deleted between pages, the cursor no longer resolves.
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

const order = (a: Row, b: Row) => (a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class Feed<T extends Row = Row> {
  private rows: T[] = [];

  constructor(rows: Iterable<T> = []) {
    this.rows = [...rows].sort(order);
    if (new Set(this.rows.map((r) => r.id)).size !== this.rows.length) throw new RangeError('duplicate id');
  }

  get size(): number {
    return this.rows.length;
  }

  insert(row: T): void {
    if (this.rows.some((r) => r.id === row.id)) throw new RangeError('duplicate id');
    this.rows.push(row);
    this.rows.sort(order);
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
      if (!cursor.startsWith('id:')) throw new InvalidCursorError('bad cursor');
      const i = this.rows.findIndex((r) => r.id === cursor.slice(3));
      if (i < 0) throw new InvalidCursorError('cursor row no longer exists');
      start = i + 1;
    } else if (afterId !== undefined) {
      const i = this.rows.findIndex((r) => r.id === afterId);
      if (i < 0) throw new RangeError('unknown afterId');
      start = i + 1;
    }
    const items = this.rows.slice(start, start + limit);
    const last = items[items.length - 1];
    return { items, nextCursor: last && start + limit < this.rows.length ? `id:${last.id}` : null };
  }
}
