// Accepted: JavaScript; rows kept newest first in an array, positions found by binary search,
// cursors are base64 of "createdAt:id" checked by re-encoding.
class InvalidCursorError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

// true when (c1, i1) comes before (c2, i2) in the feed: newest first, then id descending
const ahead = (c1, i1, c2, i2) => (c1 !== c2 ? c1 > c2 : i1 > i2);

const encode = (createdAt, id) => Buffer.from(`${createdAt}:${id}`, 'utf8').toString('base64');

function decode(cursor) {
  if (typeof cursor === 'string') {
    const text = Buffer.from(cursor, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      const createdAt = Number(text.slice(0, colon));
      const id = text.slice(colon + 1);
      if (Number.isFinite(createdAt) && encode(createdAt, id) === cursor) return { createdAt, id };
    }
  }
  throw new InvalidCursorError(`invalid cursor ${cursor}`);
}

class Feed {
  constructor(rows = []) {
    this.rows = [];
    this.ids = new Map();
    for (const r of rows) {
      if (this.ids.has(r.id)) throw new RangeError(`id ${r.id} already exists`);
      this.ids.set(r.id, r);
      this.rows.push(r);
    }
    this.rows.sort((a, b) => (ahead(a.createdAt, a.id, b.createdAt, b.id) ? -1 : 1));
  }

  get size() {
    return this.rows.length;
  }

  /** number of rows that come before (createdAt, id) in the feed */
  rank(createdAt, id) {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = this.rows[mid];
      if (ahead(r.createdAt, r.id, createdAt, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(row) {
    if (this.ids.has(row.id)) throw new RangeError(`id ${row.id} already exists`);
    this.rows.splice(this.rank(row.createdAt, row.id), 0, row);
    this.ids.set(row.id, row);
  }

  delete(id) {
    const row = this.ids.get(id);
    if (!row) return false;
    this.ids.delete(id);
    this.rows.splice(this.rank(row.createdAt, row.id), 1);
    return true;
  }

  page(request) {
    const { limit, cursor = null, afterId } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit must be 1..1000');
    if (cursor !== null && afterId !== undefined) throw new RangeError('cursor and afterId are exclusive');
    let from = 0;
    if (cursor !== null) {
      const { createdAt, id } = decode(cursor);
      from = this.rank(createdAt, id);
      const at = this.rows[from];
      if (at && at.createdAt === createdAt && at.id === id) from++;
    } else if (afterId !== undefined) {
      const row = this.ids.get(afterId);
      if (!row) throw new RangeError(`no row ${afterId}`);
      from = this.rank(row.createdAt, row.id) + 1;
    }
    const items = this.rows.slice(from, from + limit);
    const more = from + limit < this.rows.length;
    const last = items[items.length - 1];
    return { items, nextCursor: more ? encode(last.createdAt, last.id) : null };
  }
}

module.exports = { Feed, InvalidCursorError };
