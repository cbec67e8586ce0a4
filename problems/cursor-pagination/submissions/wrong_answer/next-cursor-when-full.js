// Wrong: assumes a full page means there is more, so an exactly full last page still returns
// a nextCursor (and the client fetches an empty page).
export class InvalidCursorError extends Error {
  name = 'InvalidCursorError';
}

const ahead = (a, b) => (a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id > b.id);
const encode = (r) => Buffer.from(JSON.stringify([r.createdAt, r.id])).toString('base64url');
function decode(c) {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(c, 'base64url').toString());
    if (typeof createdAt === 'number' && typeof id === 'string' && encode({ createdAt, id }) === c) return { createdAt, id };
  } catch {}
  throw new InvalidCursorError('bad cursor');
}

export class Feed {
  constructor(rows = []) {
    this.rows = [];
    this.byId = new Map();
    for (const r of rows) {
      if (this.byId.has(r.id)) throw new RangeError('duplicate id');
      this.byId.set(r.id, r);
      this.rows.push(r);
    }
    this.rows.sort((a, b) => (ahead(a, b) ? -1 : 1));
  }

  get size() {
    return this.rows.length;
  }

  rank(pos) {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ahead(this.rows[mid], pos)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(row) {
    if (this.byId.has(row.id)) throw new RangeError('duplicate id');
    this.byId.set(row.id, row);
    this.rows.splice(this.rank(row), 0, row);
  }

  delete(id) {
    const row = this.byId.get(id);
    if (!row) return false;
    this.byId.delete(id);
    this.rows.splice(this.rank(row), 1);
    return true;
  }

  page({ limit, cursor = null, afterId }) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit');
    if (cursor !== null && afterId !== undefined) throw new RangeError('cursor or afterId');
    let from = 0;
    if (cursor !== null) {
      const pos = decode(cursor);
      from = this.rank(pos);
      if (this.rows[from] && this.rows[from].id === pos.id && this.rows[from].createdAt === pos.createdAt) from++;
    } else if (afterId !== undefined) {
      const row = this.byId.get(afterId);
      if (!row) throw new RangeError('unknown afterId');
      from = this.rank(row) + 1;
    }
    const items = this.rows.slice(from, from + limit);
    return { items, nextCursor: items.length === limit ? encode(items[items.length - 1]) : null };
  }
}
