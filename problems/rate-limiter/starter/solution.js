// JavaScript: export the same class with ESM (`export class RateLimiter`) or
// CommonJS (`module.exports = { RateLimiter }`); both work.

/**
 * The shared counter store you are given (think: Redis, shared by every API server):
 * @typedef {object} CounterStore
 * @property {(key: string, ttlMs: number) => Promise<number>} incr
 *   atomically adds 1 and returns the new value; a missing key starts at 0 and gets `ttlMs`
 * @property {(key: string) => Promise<number | null>} get
 *   the current value, or null when the key is missing or expired
 * @property {(key: string, value: number, ttlMs: number) => Promise<void>} set
 *   overwrites the value and the ttl
 */

export class RateLimiter {
  /**
   * @param {CounterStore} store
   * @param {{ limit: number, windowMs: number }} options throw a RangeError when limit < 1 or windowMs < 1
   */
  constructor(store, options) {
    throw new Error('not implemented');
  }

  /**
   * True when this request is allowed: at most `limit` requests per client are allowed in each
   * window [k * windowMs, (k + 1) * windowMs).
   * @param {string} clientId
   * @param {number} nowMs
   * @returns {Promise<boolean>}
   */
  async tryAcquire(clientId, nowMs) {
    throw new Error('not implemented');
  }
}
