// Wrong: hashes with signed 32-bit arithmetic, so (h1 + i*h2) % m is often negative. Writing a
// typed array at a negative index silently does nothing, and reading it gives undefined:
// added items are reported absent (false negatives).
function fnv(s: string, basis: number): number {
  let h = basis | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h; // signed!
}

export class BloomFilter {
  readonly bitCount: number;
  readonly hashCount: number;
  private readonly bits: Uint8Array;

  constructor(expectedItems: number, falsePositiveRate: number) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
    this.bits = new Uint8Array(this.bitCount);
  }

  private index(item: string, i: number): number {
    return (fnv(item, 0x811c9dc5) + i * fnv(item, 0x12345678)) % this.bitCount;
  }

  add(item: string): void {
    for (let i = 0; i < this.hashCount; i++) this.bits[this.index(item, i)] = 1;
  }

  has(item: string): boolean {
    for (let i = 0; i < this.hashCount; i++) if (!this.bits[this.index(item, i)]) return false;
    return true;
  }
}
