// Wrong: "one good hash is enough": sets a single bit per item. With m sized for k hashes, the
// false-positive rate is several times the target.
function murmurish(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class BloomFilter {
  readonly bitCount: number;
  readonly hashCount = 1;
  private readonly bits: Uint8Array;

  constructor(expectedItems: number, falsePositiveRate: number) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.bits = new Uint8Array(this.bitCount);
  }

  add(item: string): void {
    this.bits[murmurish(item) % this.bitCount] = 1;
  }

  has(item: string): boolean {
    return this.bits[murmurish(item) % this.bitCount] === 1;
  }
}
