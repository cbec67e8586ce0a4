export interface Row {
  /** Unique. Ties on createdAt are broken by id (plain string comparison). */
  id: string;
  /** Milliseconds since the epoch; several rows may share one. */
  createdAt: number;
  /** Any other JSON fields, returned unchanged. */
  [field: string]: unknown;
}

export interface PageRequest {
  /** Integer from 1 to 1000. */
  limit: number;
  /** A nextCursor returned by an earlier page(); null or omitted: the first page. */
  cursor?: string | null;
  /** Start right after the row with this id (it must exist). Not together with cursor. */
  afterId?: string;
}

export interface Page<T extends Row = Row> {
  items: T[];
  /** null when no row comes after the last item. */
  nextCursor: string | null;
}

/** Thrown by page() for a cursor this feed never issued. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** Rows ordered newest first: createdAt descending, then id descending. */
export class Feed<T extends Row = Row> {
  constructor(rows: Iterable<T> = []) {
    throw new Error('not implemented');
  }

  get size(): number {
    throw new Error('not implemented');
  }

  insert(row: T): void {
    throw new Error('not implemented');
  }

  delete(id: string): boolean {
    throw new Error('not implemented');
  }

  page(request: PageRequest): Page<T> {
    throw new Error('not implemented');
  }
}
