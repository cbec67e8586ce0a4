// Wrong: a fixed window ([k*windowMs, (k+1)*windowMs)) instead of a sliding one, so a client can
// send up to 2*limit requests around a window boundary.
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
}

export class SlidingWindowLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor({ limit, windowMs }: SlidingWindowOptions) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('bad limit');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('bad windowMs');
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private entry(key: string, nowMs: number) {
    const window = Math.floor(nowMs / this.windowMs);
    let e = this.counts.get(key);
    if (!e || e.window !== window) {
      e = { window, count: 0 };
      this.counts.set(key, e);
    }
    return e;
  }

  tryAcquire(key: string, nowMs: number): boolean {
    const e = this.entry(key, nowMs);
    if (e.count >= this.limit) return false;
    e.count++;
    return true;
  }

  remaining(key: string, nowMs: number): number {
    return this.limit - this.entry(key, nowMs).count;
  }
}
