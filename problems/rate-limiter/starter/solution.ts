/** The shared counter store you are given (think: Redis, shared by every API server). */
export interface CounterStore {
  /** Atomically adds 1 and returns the new value; a missing key starts at 0 and gets `ttlMs`. */
  incr(key: string, ttlMs: number): Promise<number>;
  /** The current value, or null when the key is missing or expired. */
  get(key: string): Promise<number | null>;
  /** Overwrites the value and the ttl. */
  set(key: string, value: number, ttlMs: number): Promise<void>;
}

export class RateLimiter {
  constructor(store: CounterStore, options: { limit: number; windowMs: number }) {
    // Throw a RangeError when limit < 1 or windowMs < 1.
    throw new Error('not implemented');
  }

  /**
   * True when this request is allowed: at most `limit` requests per client are allowed in each
   * window [k * windowMs, (k + 1) * windowMs).
   */
  async tryAcquire(clientId: string, nowMs: number): Promise<boolean> {
    throw new Error('not implemented');
  }
}
