// Slow: correct hashing and sizing, but the set bits are kept as a list of positions, and has()
// looks each position up with includes(): O(n k) per query instead of O(k).
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
  private readonly setBits: number[] = [];

  constructor(expectedItems: number, falsePositiveRate: number) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
  }

  add(item: string): void {
    for (let i = 0; i < this.hashCount; i++) this.setBits.push(hash(item, i) % this.bitCount);
  }

  has(item: string): boolean {
    for (let i = 0; i < this.hashCount; i++) if (!this.setBits.includes(hash(item, i) % this.bitCount)) return false;
    return true;
  }
}
