// Accepted (JavaScript, CommonJS): counts with the store's atomic incr, and also remembers locally
// which (client, window) pairs are exhausted so later requests in that window skip the store.
// Counters never go down inside a window, so the shortcut can't allow anything incr would refuse.
'use strict';

class RateLimiter {
  constructor(store, options) {
    const limit = options && options.limit;
    const windowMs = options && options.windowMs;
    if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
    if (!(windowMs >= 1)) throw new RangeError('windowMs must be at least 1');
    this.store = store;
    this.limit = limit;
    this.windowMs = windowMs;
    this.exhausted = new Map(); // window index -> Set of client ids refused in it
  }

  async tryAcquire(clientId, nowMs) {
    const window = Math.floor(nowMs / this.windowMs);
    const refused = this.exhausted.get(window);
    if (refused && refused.has(clientId)) return false;
    const count = await this.store.incr(JSON.stringify([clientId, window]), this.windowMs * 2);
    if (count <= this.limit) return true;
    if (!this.exhausted.has(window)) {
      for (const w of this.exhausted.keys()) if (w < window - 1) this.exhausted.delete(w);
      this.exhausted.set(window, new Set());
    }
    this.exhausted.get(window).add(clientId);
    return false;
  }
}

module.exports = { RateLimiter };
