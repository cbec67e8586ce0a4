// Slow: correct hashing and sizing, and has() costs O(k log n) (binary search over the set
// positions, kept sorted), but add() inserts each new position with splice(): O(n) per add.
function hash(item: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < item.length; i++) {
    h ^= item.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class BloomFilter {
  readonly bitCount: number;
  readonly hashCount: number;
  private readonly positions: number[] = [];

  constructor(expectedItems: number, falsePositiveRate: number) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (typeof falsePositiveRate !== 'number' || !(falsePositiveRate > 0 && falsePositiveRate < 1))
      throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
  }

  /** The index of the first position >= p. */
  private lowerBound(p: number): number {
    let [lo, hi] = [0, this.positions.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(item: string): void {
    for (let i = 0; i < this.hashCount; i++) {
      const p = hash(item, i) % this.bitCount;
      const at = this.lowerBound(p);
      if (this.positions[at] !== p) this.positions.splice(at, 0, p);
    }
  }

  has(item: string): boolean {
    for (let i = 0; i < this.hashCount; i++) {
      const p = hash(item, i) % this.bitCount;
      if (this.positions[this.lowerBound(p)] !== p) return false;
    }
    return true;
  }
}
