export interface SlidingWindowOptions {
  /** Most requests allowed per key within any window of `windowMs` milliseconds (integer >= 1). */
  limit: number;
  /** Length of the sliding window in milliseconds (integer >= 1). */
  windowMs: number;
}

export class SlidingWindowLimiter {
  constructor(options: SlidingWindowOptions) {
    throw new Error('not implemented');
  }

  /** Records and allows the request if `key` has fewer than `limit` allowed requests in (nowMs - windowMs, nowMs]. */
  tryAcquire(key: string, nowMs: number): boolean {
    throw new Error('not implemented');
  }

  /** How many more requests `key` could make at `nowMs`; records nothing. */
  remaining(key: string, nowMs: number): number {
    throw new Error('not implemented');
  }
}
