// Wrong: logs every request, rejected ones included, so a client that keeps retrying while
// limited stays locked out long after its allowed requests have left the window.
export class SlidingWindowLimiter {
  constructor({ limit, windowMs }) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('bad limit');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('bad windowMs');
    this.limit = limit;
    this.windowMs = windowMs;
    this.logs = new Map();
  }

  prune(key, nowMs) {
    const log = this.logs.get(key) ?? [];
    let i = 0;
    while (i < log.length && log[i] <= nowMs - this.windowMs) i++;
    const kept = log.slice(i);
    this.logs.set(key, kept);
    return kept;
  }

  tryAcquire(key, nowMs) {
    const log = this.prune(key, nowMs);
    const allowed = log.length < this.limit;
    log.push(nowMs);
    return allowed;
  }

  remaining(key, nowMs) {
    return Math.max(0, this.limit - this.prune(key, nowMs).length);
  }
}
