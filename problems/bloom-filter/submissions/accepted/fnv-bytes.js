// Accepted: CommonJS; one byte per bit (simple, 8x the memory), FNV-1a with two offset bases
// combined by double hashing, all arithmetic kept unsigned.
'use strict';

function fnv1a(str, basis) {
  let h = basis >>> 0;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  // final avalanche so that nearby keys spread out
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

class BloomFilter {
  constructor(expectedItems, falsePositiveRate) {
    if (!Number.isInteger(expectedItems) || expectedItems <= 0) throw new RangeError('expectedItems must be a positive integer');
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) throw new RangeError('falsePositiveRate must be between 0 and 1');
    const ln2 = Math.log(2);
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (ln2 * ln2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * ln2));
    this.bytes = new Uint8Array(this.bitCount);
  }

  positions(item) {
    const h1 = fnv1a(item, 0x811c9dc5);
    const h2 = fnv1a(item, 0x01000193) | 1;
    const out = new Array(this.hashCount);
    for (let i = 0; i < this.hashCount; i++) out[i] = (h1 + i * (h2 >>> 0)) % this.bitCount;
    return out;
  }

  add(item) {
    for (const p of this.positions(item)) this.bytes[p] = 1;
  }

  has(item) {
    for (const p of this.positions(item)) if (this.bytes[p] === 0) return false;
    return true;
  }
}

module.exports = { BloomFilter };
