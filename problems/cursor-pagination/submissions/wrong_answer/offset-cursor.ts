// Wrong: the "cursor" is an encoded offset. Fine on a frozen table, but a row inserted ahead
// of the reader or deleted behind it shifts every later row: duplicates and skips.
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

const cmp = (a: Row, b: Row) => (a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class Feed<T extends Row = Row> {
  private rows: T[] = [];
  private ids = new Set<string>();

  constructor(rows: Iterable<T> = []) {
    for (const r of rows) {
      if (this.ids.has(r.id)) throw new RangeError('duplicate id');
      this.ids.add(r.id);
      this.rows.push(r);
    }
    this.rows.sort(cmp);
  }

  get size(): number {
    return this.rows.length;
  }

  insert(row: T): void {
    if (this.ids.has(row.id)) throw new RangeError('duplicate id');
    this.ids.add(row.id);
    this.rows.push(row);
    this.rows.sort(cmp);
  }

  delete(id: string): boolean {
    if (!this.ids.delete(id)) return false;
    this.rows = this.rows.filter((r) => r.id !== id);
    return true;
  }

  page({ limit, cursor, afterId }: PageRequest): Page<T> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit');
    if (cursor != null && afterId !== undefined) throw new RangeError('cursor or afterId');
    let offset = 0;
    if (cursor != null) {
      const m = /^off_(\d+)$/.exec(cursor);
      if (!m) throw new InvalidCursorError('bad cursor');
      offset = Number(m[1]);
    } else if (afterId !== undefined) {
      offset = this.rows.findIndex((r) => r.id === afterId) + 1;
      if (offset === 0) throw new RangeError('unknown afterId');
    }
    const items = this.rows.slice(offset, offset + limit);
    return { items, nextCursor: offset + limit < this.rows.length ? `off_${offset + limit}` : null };
  }
}
