// Partial (slow): right answers, but whenever the log is full it walks the whole log to count the
// requests still inside the window, so a client hammering a full window costs O(limit) per call.
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

  private inWindow(log: number[], nowMs: number): number {
    let count = 0;
    for (const t of log) if (t > nowMs - this.windowMs) count++;
    return count;
  }

  tryAcquire(key: string, nowMs: number): boolean {
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    if (log.length >= this.limit) {
      // Full: count what is still inside the window, and prune only when something expired.
      if (this.inWindow(log, nowMs) >= this.limit) return false;
      log = log.filter((t) => t > nowMs - this.windowMs);
      this.logs.set(key, log);
    }
    log.push(nowMs);
    return true;
  }

  remaining(key: string, nowMs: number): number {
    const log = this.logs.get(key);
    return log ? this.limit - this.inWindow(log, nowMs) : this.limit;
  }
}
