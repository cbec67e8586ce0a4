// JavaScript: export the same class with ESM (`export class LRUCache`) or
// CommonJS (`module.exports = { LRUCache }`); both work.
export class LRUCache {
  /** @param {number} capacity an integer >= 1, otherwise throw a RangeError */
  constructor(capacity) {
    throw new Error('not implemented');
  }

  /** The value stored for `key`, or undefined. A hit makes `key` the most recently used. */
  get(key) {
    throw new Error('not implemented');
  }

  /** Inserts or updates `key` (either way it becomes the most recently used). */
  put(key, value) {
    throw new Error('not implemented');
  }

  /** Number of keys held. */
  get size() {
    throw new Error('not implemented');
  }
}
