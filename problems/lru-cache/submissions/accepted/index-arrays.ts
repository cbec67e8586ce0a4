// Accepted (different structure): no node objects. Each key gets a slot number; parallel arrays
// hold the slot's key, value and its neighbours in recency order. An evicted slot is reused.
const NONE = -1;

export class LRUCache<K, V> {
  private readonly slotOf = new Map<K, number>();
  private readonly keys: K[] = [];
  private readonly values: V[] = [];
  private readonly prev: number[] = [];
  private readonly next: number[] = [];
  private newest = NONE;
  private oldest = NONE;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
  }

  get size(): number {
    return this.slotOf.size;
  }

  get(key: K): V | undefined {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return undefined;
    this.makeNewest(slot);
    return this.values[slot];
  }

  put(key: K, value: V): void {
    const existing = this.slotOf.get(key);
    if (existing !== undefined) {
      this.values[existing] = value;
      this.makeNewest(existing);
      return;
    }
    let slot: number;
    if (this.slotOf.size === this.capacity) {
      slot = this.oldest;
      this.unlink(slot);
      this.slotOf.delete(this.keys[slot] as K);
    } else {
      slot = this.keys.length;
      this.prev.push(NONE);
      this.next.push(NONE);
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.slotOf.set(key, slot);
    this.linkNewest(slot);
  }

  private makeNewest(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.linkNewest(slot);
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p === NONE) this.newest = n;
    else this.next[p] = n;
    if (n === NONE) this.oldest = p;
    else this.prev[n] = p;
  }

  private linkNewest(slot: number): void {
    this.prev[slot] = NONE;
    this.next[slot] = this.newest;
    if (this.newest !== NONE) this.prev[this.newest] = slot;
    this.newest = slot;
    if (this.oldest === NONE) this.oldest = slot;
  }
}
