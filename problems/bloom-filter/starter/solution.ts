export class BloomFilter {
  /** m = ceil(-n ln p / (ln 2)^2) */
  readonly bitCount: number;
  /** k = max(1, round(m / n * ln 2)) */
  readonly hashCount: number;

  /**
   * @param expectedItems n, an integer >= 1
   * @param falsePositiveRate p, strictly between 0 and 1
   */
  constructor(expectedItems: number, falsePositiveRate: number) {
    throw new Error('not implemented');
  }

  add(item: string): void {
    throw new Error('not implemented');
  }

  /** false: definitely never added; true: probably added. */
  has(item: string): boolean {
    throw new Error('not implemented');
  }
}
