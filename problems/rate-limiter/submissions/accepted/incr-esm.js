// Accepted (JavaScript, ESM): one atomic incr per request on a key naming the window; the ttl is
// the time left in the window, so the store drops the counter as soon as the window is over.
export class RateLimiter {
  #store;
  #limit;
  #windowMs;

  constructor(store, { limit, windowMs }) {
    if (typeof limit !== 'number' || Number.isNaN(limit) || limit < 1) throw new RangeError('limit must be >= 1');
    if (typeof windowMs !== 'number' || Number.isNaN(windowMs) || windowMs < 1) throw new RangeError('windowMs must be >= 1');
    this.#store = store;
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  async tryAcquire(clientId, nowMs) {
    const window = Math.floor(nowMs / this.#windowMs);
    const windowEnd = (window + 1) * this.#windowMs;
    const count = await this.#store.incr(`ratelimit:${window}:${clientId}`, windowEnd - nowMs);
    return count <= this.#limit;
  }
}
