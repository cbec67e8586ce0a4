// Wrong: forgets to square ln 2 in the size formula (m = -n ln p / ln 2), so the filter has
// about 30% fewer bits than needed and misses its false-positive target.
function fnv(s, basis) {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

export class BloomFilter {
  constructor(expectedItems, falsePositiveRate) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / Math.LN2);
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
    this.bits = new Uint8Array(Math.ceil(this.bitCount / 8));
  }

  *positions(item) {
    const a = fnv(item, 0x811c9dc5);
    const b = fnv(item, 0x9e3779b9) | 1;
    for (let i = 0; i < this.hashCount; i++) yield (a + i * (b >>> 0)) % this.bitCount;
  }

  add(item) {
    for (const p of this.positions(item)) this.bits[p >> 3] |= 1 << (p & 7);
  }

  has(item) {
    for (const p of this.positions(item)) if (!(this.bits[p >> 3] & (1 << (p & 7)))) return false;
    return true;
  }
}
