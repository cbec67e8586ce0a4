// Slow (correct but O(n)): recency is kept in an array of keys, so every hit and every update
// searches it with indexOf and removes the key with splice.
export class LRUCache<K, V> {
  private readonly values = new Map<K, V>();
  private readonly order: K[] = []; // least recently used first

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
  }

  get size(): number {
    return this.values.size;
  }

  get(key: K): V | undefined {
    if (!this.values.has(key)) return undefined;
    this.touch(key);
    return this.values.get(key);
  }

  put(key: K, value: V): void {
    if (this.values.has(key)) {
      this.touch(key);
    } else {
      if (this.values.size >= this.capacity) {
        const oldest = this.order.shift() as K;
        this.values.delete(oldest);
      }
      this.order.push(key);
    }
    this.values.set(key, value);
  }

  private touch(key: K): void {
    this.order.splice(this.order.indexOf(key), 1);
    this.order.push(key);
  }
}
