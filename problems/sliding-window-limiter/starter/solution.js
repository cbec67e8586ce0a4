/**
 * @typedef {object} SlidingWindowOptions
 * @property {number} limit     Most requests allowed per key within any window of `windowMs` ms (integer >= 1).
 * @property {number} windowMs  Length of the sliding window in milliseconds (integer >= 1).
 */

export class SlidingWindowLimiter {
  /** @param {SlidingWindowOptions} options */
  constructor(options) {
    throw new Error('not implemented');
  }

  /**
   * Records and allows the request if `key` has fewer than `limit` allowed requests in (nowMs - windowMs, nowMs].
   * @param {string} key
   * @param {number} nowMs
   * @returns {boolean}
   */
  tryAcquire(key, nowMs) {
    throw new Error('not implemented');
  }

  /**
   * How many more requests `key` could make at `nowMs`; records nothing.
   * @param {string} key
   * @param {number} nowMs
   * @returns {number}
   */
  remaining(key, nowMs) {
    throw new Error('not implemented');
  }
}
