// Wrong: counts in this process's memory and never uses the shared store, so a second API server
// (another RateLimiter on the same store) hands out the whole budget again.
export interface CounterStore {
  incr(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<number | null>;
  set(key: string, value: number, ttlMs: number): Promise<void>;
}

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly counts = new Map<string, number>();

  constructor(store: CounterStore, options: { limit: number; windowMs: number }) {
    void store;
    if (!(options.limit >= 1)) throw new RangeError('limit must be at least 1');
    if (!(options.windowMs >= 1)) throw new RangeError('windowMs must be at least 1');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  async tryAcquire(clientId: string, nowMs: number): Promise<boolean> {
    const key = `${clientId}:${Math.floor(nowMs / this.windowMs)}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit;
  }
}
