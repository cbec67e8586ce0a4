// Wrong: the cursor remembers only createdAt and the next page starts at rows strictly older,
// so rows sharing the last item's createdAt are skipped at a page boundary.
export class InvalidCursorError extends Error {
  name = 'InvalidCursorError';
}

const order = (a, b) => (a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class Feed {
  constructor(rows = []) {
    this.rows = [...rows].sort(order);
    if (new Set(this.rows.map((r) => r.id)).size !== this.rows.length) throw new RangeError('duplicate id');
  }

  get size() {
    return this.rows.length;
  }

  insert(row) {
    if (this.rows.some((r) => r.id === row.id)) throw new RangeError('duplicate id');
    this.rows.push(row);
    this.rows.sort(order);
  }

  delete(id) {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    return true;
  }

  page({ limit, cursor = null, afterId }) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit');
    if (cursor !== null && afterId !== undefined) throw new RangeError('cursor or afterId');
    let rest = this.rows;
    if (cursor !== null) {
      const t = Number(cursor.startsWith('t') ? cursor.slice(1) : NaN);
      if (!Number.isFinite(t)) throw new InvalidCursorError('bad cursor');
      rest = this.rows.filter((r) => r.createdAt < t);
    } else if (afterId !== undefined) {
      const i = this.rows.findIndex((r) => r.id === afterId);
      if (i < 0) throw new RangeError('unknown afterId');
      rest = this.rows.slice(i + 1);
    }
    const items = rest.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rest.length > limit ? `t${last.createdAt}` : null };
  }
}
