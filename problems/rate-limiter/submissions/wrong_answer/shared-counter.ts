// Wrong: the key names the window but not the client, so all clients share one budget.
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
    void clientId;
    const count = await this.store.incr(`window:${Math.floor(nowMs / this.windowMs)}`, this.windowMs);
    return count <= this.limit;
  }
}
