// Wrong: accepts limit < 1 and windowMs < 1 instead of throwing a RangeError.
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
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  async tryAcquire(clientId: string, nowMs: number): Promise<boolean> {
    const count = await this.store.incr(`${clientId}:${Math.floor(nowMs / this.windowMs)}`, this.windowMs);
    return count <= this.limit;
  }
}
