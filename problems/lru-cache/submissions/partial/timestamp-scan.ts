// Slow (correct, partial): each entry carries a last-used stamp, so hits and updates are O(1),
// but every eviction scans all entries for the oldest stamp: O(n) per put into a full cache.
interface Entry<V> {
  value: V;
  usedAt: number;
}

export class LRUCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private clock = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.usedAt = ++this.clock;
    return entry.value;
  }

  put(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.value = value;
      entry.usedAt = ++this.clock;
      return;
    }
    if (this.entries.size >= this.capacity) {
      let oldestKey: K | undefined;
      let oldestAt = Infinity;
      for (const [k, e] of this.entries) {
        if (e.usedAt < oldestAt) {
          oldestAt = e.usedAt;
          oldestKey = k;
        }
      }
      this.entries.delete(oldestKey as K);
    }
    this.entries.set(key, { value, usedAt: ++this.clock });
  }
}
