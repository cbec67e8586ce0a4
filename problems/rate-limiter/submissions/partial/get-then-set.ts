// Racy (partial): reads the counter, decides, then writes it back. Correct one request at a
// time, but concurrent requests all read the same old value and all get through (lost updates).
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
    const key = `${clientId}:${Math.floor(nowMs / this.windowMs)}`;
    const count = (await this.store.get(key)) ?? 0;
    if (count >= this.limit) return false;
    await this.store.set(key, count + 1, this.windowMs);
    return true;
  }
}
