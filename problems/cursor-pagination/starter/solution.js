/**
 * @typedef {{ id: string, createdAt: number, [field: string]: unknown }} Row
 * @typedef {{ limit: number, cursor?: string | null, afterId?: string }} PageRequest
 * @typedef {{ items: Row[], nextCursor: string | null }} Page
 */

/** Thrown by page() for a cursor this feed never issued. */
export class InvalidCursorError extends Error {
  name = 'InvalidCursorError';
}

/** Rows ordered newest first: createdAt descending, then id descending. */
export class Feed {
  /** @param {Iterable<Row>} [rows] */
  constructor(rows = []) {
    throw new Error('not implemented');
  }

  /** @returns {number} */
  get size() {
    throw new Error('not implemented');
  }

  /** @param {Row} row */
  insert(row) {
    throw new Error('not implemented');
  }

  /**
   * @param {string} id
   * @returns {boolean}
   */
  delete(id) {
    throw new Error('not implemented');
  }

  /**
   * @param {PageRequest} request
   * @returns {Page}
   */
  page(request) {
    throw new Error('not implemented');
  }
}
