// Wrong: evicts from the wrong end of the recency list (the most recently used key).
export class LRUCache<K, V> {
  private readonly map = new Map<K, V>();
  private newest: K | undefined;
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
  }
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    return value;
  }
  put(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.capacity) this.map.delete(this.newest as K);
    this.map.set(key, value);
    this.newest = key;
  }
}
