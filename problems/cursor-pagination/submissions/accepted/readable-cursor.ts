// Accepted: rows ascending in an array searched with a hand-written upper bound; readable
// cursors "createdAt~encodedId", validated strictly when decoded.
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

interface Pos {
  createdAt: number;
  id: string;
}

/** negative when a sorts before b in ascending (createdAt, id) order */
function cmp(a: Pos, b: Pos): number {
  if (a.createdAt < b.createdAt) return -1;
  if (a.createdAt > b.createdAt) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function toCursor(p: Pos): string {
  return `${p.createdAt}~${encodeURIComponent(p.id)}`;
}

function fromCursor(c: string): Pos {
  const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)~([A-Za-z0-9\-_.!~*'()%]*)$/.exec(c);
  if (m) {
    try {
      const pos = { createdAt: Number(m[1]), id: decodeURIComponent(m[2]!) };
      if (Number.isFinite(pos.createdAt) && toCursor(pos) === c) return pos;
    } catch {
      // malformed escape: not ours
    }
  }
  throw new InvalidCursorError(`not a cursor: ${c}`);
}

export class Feed<T extends Row = Row> {
  private readonly asc: T[];
  private readonly index = new Map<string, T>();

  constructor(rows: Iterable<T> = []) {
    this.asc = [...rows];
    for (const r of this.asc) {
      if (this.index.has(r.id)) throw new RangeError(`duplicate id ${r.id}`);
      this.index.set(r.id, r);
    }
    this.asc.sort(cmp);
  }

  get size(): number {
    return this.asc.length;
  }

  /** number of rows strictly below p in ascending order */
  private below(p: Pos): number {
    let lo = 0;
    let hi = this.asc.length;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (cmp(this.asc[mid]!, p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(row: T): void {
    if (this.index.has(row.id)) throw new RangeError(`duplicate id ${row.id}`);
    this.index.set(row.id, row);
    this.asc.splice(this.below(row), 0, row);
  }

  delete(id: string): boolean {
    const row = this.index.get(id);
    if (row === undefined) return false;
    this.index.delete(id);
    this.asc.splice(this.below(row), 1);
    return true;
  }

  page(request: PageRequest): Page<T> {
    const { limit, afterId } = request;
    const cursor = request.cursor ?? null;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`bad limit ${limit}`);
    if (cursor !== null && afterId !== undefined) throw new RangeError('use cursor or afterId');
    let end = this.asc.length;
    if (cursor !== null) end = this.below(fromCursor(cursor));
    else if (afterId !== undefined) {
      const row = this.index.get(afterId);
      if (row === undefined) throw new RangeError(`unknown id ${afterId}`);
      end = this.below(row);
    }
    const items: T[] = [];
    for (let i = end - 1; i >= 0 && items.length < limit; i--) items.push(this.asc[i]!);
    const more = end - items.length > 0;
    return { items, nextCursor: more ? toCursor(items[items.length - 1]!) : null };
  }
}
