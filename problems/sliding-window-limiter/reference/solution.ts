/**
 * Reference: an exact sliding-window log per key, kept as a queue (array + head index).
 * Every timestamp is appended once and expired once, so tryAcquire is amortised O(1).
 */
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
}

class TimestampQueue {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(t: number): void {
    this.items.push(t);
  }

  /** Drops every timestamp <= cutoff from the front (timestamps arrive in order). */
  dropUpTo(cutoff: number): void {
    while (this.head < this.items.length && this.items[this.head]! <= cutoff) this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

export class SlidingWindowLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly logs = new Map<string, TimestampQueue>();

  constructor(options: SlidingWindowOptions) {
    const { limit, windowMs } = options ?? ({} as SlidingWindowOptions);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('windowMs must be an integer >= 1');
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private current(key: string, nowMs: number): TimestampQueue {
    let log = this.logs.get(key);
    if (!log) {
      log = new TimestampQueue();
      this.logs.set(key, log);
    }
    log.dropUpTo(nowMs - this.windowMs);
    return log;
  }

  tryAcquire(key: string, nowMs: number): boolean {
    const log = this.current(key, nowMs);
    if (log.length >= this.limit) return false;
    log.push(nowMs);
    return true;
  }

  remaining(key: string, nowMs: number): number {
    const log = this.logs.get(key);
    if (!log) return this.limit;
    log.dropUpTo(nowMs - this.windowMs);
    return this.limit - log.length;
  }
}
