export class BloomFilter {
  /**
   * @param {number} expectedItems n, an integer >= 1
   * @param {number} falsePositiveRate p, strictly between 0 and 1
   */
  constructor(expectedItems, falsePositiveRate) {
    /** m = ceil(-n ln p / (ln 2)^2) @type {number} */
    this.bitCount = 0;
    /** k = max(1, round(m / n * ln 2)) @type {number} */
    this.hashCount = 0;
    throw new Error('not implemented');
  }

  /** @param {string} item */
  add(item) {
    throw new Error('not implemented');
  }

  /**
   * false: definitely never added; true: probably added.
   * @param {string} item
   * @returns {boolean}
   */
  has(item) {
    throw new Error('not implemented');
  }
}
