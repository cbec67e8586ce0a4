// Wrong: the "sliding window counter" approximation (previous fixed window's count weighted by
// its overlap with the sliding window). Cheap, but not the exact count the problem asks for.
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
}

interface Counter {
  window: number;
  current: number;
  previous: number;
}

export class SlidingWindowLimiter {
  private readonly counters = new Map<string, Counter>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor({ limit, windowMs }: SlidingWindowOptions) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('bad limit');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('bad windowMs');
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private estimate(key: string, nowMs: number): { c: Counter; used: number } {
    const window = Math.floor(nowMs / this.windowMs);
    let c = this.counters.get(key);
    if (!c) {
      c = { window, current: 0, previous: 0 };
      this.counters.set(key, c);
    }
    if (c.window !== window) {
      c.previous = c.window === window - 1 ? c.current : 0;
      c.current = 0;
      c.window = window;
    }
    const overlap = 1 - (nowMs - window * this.windowMs) / this.windowMs;
    return { c, used: Math.floor(c.previous * overlap) + c.current };
  }

  tryAcquire(key: string, nowMs: number): boolean {
    const { c, used } = this.estimate(key, nowMs);
    if (used >= this.limit) return false;
    c.current++;
    return true;
  }

  remaining(key: string, nowMs: number): number {
    return Math.max(0, this.limit - this.estimate(key, nowMs).used);
  }
}
