// Accepted: a ring buffer per key holding the timestamps of the last `limit` allowed requests.
// The slot about to be overwritten holds the oldest of them, so each call is O(1).
class SlidingWindowLimiter {
  constructor(options) {
    const { limit, windowMs } = options || {};
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('windowMs must be an integer >= 1');
    this.limit = limit;
    this.windowMs = windowMs;
    this.rings = new Map(); // key -> { times: number[], next: number }
  }

  ring(key) {
    let r = this.rings.get(key);
    if (!r) {
      r = { times: [], next: 0 };
      this.rings.set(key, r);
    }
    return r;
  }

  countAt(r, nowMs) {
    // Timestamps are stored in order starting at `next` (oldest) when the ring is full.
    const n = r.times.length;
    const start = n < this.limit ? 0 : r.next;
    let lo = 0;
    let hi = n; // first index (in age order) that is still inside the window
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r.times[(start + mid) % n] <= nowMs - this.windowMs) lo = mid + 1;
      else hi = mid;
    }
    return n - lo;
  }

  tryAcquire(key, nowMs) {
    const r = this.ring(key);
    if (r.times.length < this.limit) {
      // Fewer than `limit` requests were ever allowed for this key: nothing to check.
      r.times.push(nowMs);
      return true;
    }
    // Full ring: allowed only if the oldest of the last `limit` allowed requests has expired.
    if (r.times[r.next] > nowMs - this.windowMs) return false;
    r.times[r.next] = nowMs;
    r.next = (r.next + 1) % this.limit;
    return true;
  }

  remaining(key, nowMs) {
    const r = this.rings.get(key);
    if (!r) return this.limit;
    return this.limit - this.countAt(r, nowMs);
  }
}

module.exports = { SlidingWindowLimiter };
