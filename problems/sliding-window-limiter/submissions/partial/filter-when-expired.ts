// Partial (slow): right answers, and O(1) while the window is full and nothing has expired, but
// whenever the oldest request has left the window it filters the whole log, so a window that
// slides (one request leaving per call) costs O(limit) per call.
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
}

export class SlidingWindowLimiter {
  private readonly logs = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(options: SlidingWindowOptions) {
    const { limit, windowMs } = options ?? ({} as SlidingWindowOptions);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('bad limit');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('bad windowMs');
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private log(key: string, nowMs: number): number[] {
    let log = this.logs.get(key) ?? [];
    const cutoff = nowMs - this.windowMs;
    if (log.length > 0 && log[0]! <= cutoff) log = log.filter((t) => t > cutoff);
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
