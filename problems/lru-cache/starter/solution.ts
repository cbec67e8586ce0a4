export class LRUCache<K, V> {
  constructor(capacity: number) {
    // Throw a RangeError unless capacity is an integer >= 1.
    throw new Error('not implemented');
  }

  /** The value stored for `key`, or undefined. A hit makes `key` the most recently used. */
  get(key: K): V | undefined {
    throw new Error('not implemented');
  }

  /** Inserts or updates `key` (either way it becomes the most recently used). */
  put(key: K, value: V): void {
    throw new Error('not implemented');
  }

  /** Number of keys held. */
  get size(): number {
    throw new Error('not implemented');
  }
}
