/**
 * Reference LRU cache: a Map from key to a node of a doubly linked list.
 * The list runs from the most recently used node (head) to the least recently used (tail),
 * so get, put and eviction are all O(1).
 */
interface Entry<K, V> {
  key: K;
  value: V;
  prev: Entry<K, V> | null;
  next: Entry<K, V> | null;
}

export class LRUCache<K, V> {
  private readonly capacity: number;
  private readonly entries = new Map<K, Entry<K, V>>();
  private head: Entry<K, V> | null = null;
  private tail: Entry<K, V> | null = null;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.moveToFront(entry);
    return entry.value;
  }

  put(key: K, value: V): void {
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.moveToFront(existing);
      return;
    }
    if (this.entries.size === this.capacity) this.evictLeastRecent();
    const entry: Entry<K, V> = { key, value, prev: null, next: this.head };
    if (this.head) this.head.prev = entry;
    this.head = entry;
    if (!this.tail) this.tail = entry;
    this.entries.set(key, entry);
  }

  private moveToFront(entry: Entry<K, V>): void {
    if (entry === this.head) return;
    this.unlink(entry);
    entry.prev = null;
    entry.next = this.head;
    if (this.head) this.head.prev = entry;
    this.head = entry;
    if (!this.tail) this.tail = entry;
  }

  private unlink(entry: Entry<K, V>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  private evictLeastRecent(): void {
    const last = this.tail;
    if (!last) return;
    this.unlink(last);
    this.entries.delete(last.key);
  }
}
