// Wrong: checks for a full cache before checking whether the key is already there, so updating
// a key of a full cache evicts the least recently used key for nothing.
export class LRUCache<K, V> {
  private readonly map = new Map<K, V>();
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
    return value;
  }
  put(key: K, value: V): void {
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as K);
    this.map.delete(key);
    this.map.set(key, value);
  }
}
