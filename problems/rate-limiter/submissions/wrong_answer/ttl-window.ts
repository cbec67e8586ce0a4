// Wrong: one counter per client that resets when its ttl runs out, so each window starts at the
// client's first request instead of at a multiple of windowMs.
export interface CounterStore {
  incr(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<number | null>;
  set(key: string, value: number, ttlMs: number): Promise<void>;
}

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: CounterStore,
    options: { limit: number; windowMs: number },
  ) {
    if (!(options.limit >= 1)) throw new RangeError('limit must be at least 1');
    if (!(options.windowMs >= 1)) throw new RangeError('windowMs must be at least 1');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  async tryAcquire(clientId: string, nowMs: number): Promise<boolean> {
    void nowMs;
    const count = await this.store.incr(`rate:${clientId}`, this.windowMs);
    return count <= this.limit;
  }
}
