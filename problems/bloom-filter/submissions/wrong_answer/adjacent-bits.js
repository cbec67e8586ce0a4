// Wrong: derives the k positions as h, h+1, …, h+k-1. Sizing is right, but the k bits of an item
// are neighbours instead of independent draws, so items collide in runs and the false-positive
// rate is many times the target.
function murmurFinal(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
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
  constructor(expectedItems, falsePositiveRate) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
    this.bits = new Uint32Array(Math.ceil(this.bitCount / 32));
  }

  add(item) {
    const h = murmurFinal(item);
    for (let i = 0; i < this.hashCount; i++) {
      const p = (h + i) % this.bitCount;
      this.bits[p >>> 5] |= 1 << (p & 31);
    }
  }

  has(item) {
    const h = murmurFinal(item);
    for (let i = 0; i < this.hashCount; i++) {
      const p = (h + i) % this.bitCount;
      if ((this.bits[p >>> 5] & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }
}
