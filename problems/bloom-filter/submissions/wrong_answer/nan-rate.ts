// Wrong: checks the rate with \`p <= 0 || p >= 1\`. Every comparison with NaN is false, so
// new BloomFilter(100, NaN) is accepted and builds a filter of NaN bits and NaN hashes instead of
// throwing a RangeError. Everything else is the reference.
/**
 * Bloom filter sized from the expected number of items n and the target false-positive rate p:
 *   m = ceil(-n ln p / (ln 2)^2) bits,  k = max(1, round(m / n * ln 2)) hash functions.
 * The k positions come from two independent 32-bit hashes (Kirsch–Mitzenmacher double hashing):
 *   g_i(x) = (h1(x) + i * h2(x)) mod m.
 */

/** MurmurHash3 (x86, 32-bit) over the string's UTF-16 code units, two per 32-bit block. */
function murmur3(s: string, seed: number): number {
  let h = seed >>> 0;
  const len = s.length;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    let k = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < len) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len;
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
  private readonly bits: Uint32Array;

  constructor(expectedItems: number, falsePositiveRate: number) {
    if (!Number.isInteger(expectedItems) || expectedItems < 1) throw new RangeError('expectedItems must be an integer >= 1');
    if (falsePositiveRate <= 0 || falsePositiveRate >= 1) throw new RangeError('falsePositiveRate must be in (0, 1)');
    this.bitCount = Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    this.hashCount = Math.max(1, Math.round((this.bitCount / expectedItems) * Math.LN2));
    this.bits = new Uint32Array(Math.ceil(this.bitCount / 32));
  }

  add(item: string): void {
    const m = this.bitCount;
    const h1 = murmur3(item, 0x9747b28c) % m;
    const h2 = murmur3(item, 0x5bd1e995) % m || 1;
    let pos = h1;
    for (let i = 0; i < this.hashCount; i++) {
      this.bits[pos >>> 5]! |= 1 << (pos & 31);
      pos += h2;
      if (pos >= m) pos -= m;
    }
  }

  has(item: string): boolean {
    const m = this.bitCount;
    const h1 = murmur3(item, 0x9747b28c) % m;
    const h2 = murmur3(item, 0x5bd1e995) % m || 1;
    let pos = h1;
    for (let i = 0; i < this.hashCount; i++) {
      if ((this.bits[pos >>> 5]! & (1 << (pos & 31))) === 0) return false;
      pos += h2;
      if (pos >= m) pos -= m;
    }
    return true;
  }
}
