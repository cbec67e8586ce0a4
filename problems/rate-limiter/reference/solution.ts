/**
 * Reference fixed-window rate limiter.
 *
 * Each (client, window) pair has its own counter in the shared store, keyed by the window's
 * index k = floor(nowMs / windowMs). The store's atomic `incr` both counts the request and tells
 * us its position in the window, so concurrent callers (on this server or any other) can never
 * lose an update: the request is allowed when its position is within the limit. The ttl only
 * lets the store drop the counters of windows that are over.
 */
export interface CounterStore {
  incr(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<number | null>;
  set(key: string, value: number, ttlMs: number): Promise<void>;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: CounterStore,
    options: RateLimiterOptions,
  ) {
    const { limit, windowMs } = options;
    if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${String(limit)}`);
    if (!(windowMs >= 1)) throw new RangeError(`windowMs must be at least 1, got ${String(windowMs)}`);
    this.limit = limit;
    this.windowMs = windowMs;
  }

  async tryAcquire(clientId: string, nowMs: number): Promise<boolean> {
    const window = Math.floor(nowMs / this.windowMs);
    const count = await this.store.incr(`${clientId}:${window}`, this.windowMs);
    return count <= this.limit;
  }
}
