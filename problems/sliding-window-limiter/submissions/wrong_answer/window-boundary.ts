// Wrong: off by one at the window edge. A request made at t still counts at t + windowMs
// (it keeps entries with t >= nowMs - windowMs), so the window is one millisecond too long.
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
}

export class SlidingWindowLimiter {
  private readonly logs = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor({ limit, windowMs }: SlidingWindowOptions) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('bad limit');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('bad windowMs');
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private log(key: string, nowMs: number): number[] {
    const log = this.logs.get(key) ?? [];
    while (log.length > 0 && log[0]! < nowMs - this.windowMs) log.shift();
    this.logs.set(key, log);
    return log;
  }

  tryAcquire(key: string, nowMs: number): boolean {
    const log = this.log(key, nowMs);
    if (log.length >= this.limit) return false;
    log.push(nowMs);
    return true;
  }

  remaining(key: string, nowMs: number): number {
    return this.limit - this.log(key, nowMs).length;
  }
}
