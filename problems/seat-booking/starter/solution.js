/**
 * @typedef {{ state: 'held', customerId: string, expiresAtMs: number } | { state: 'booked', customerId: string }} SeatRecord
 * @typedef {{ state: 'available' } | { state: 'held', customerId: string, expiresAtMs: number } | { state: 'booked', customerId: string }} SeatStatus
 *
 * store (provided by the platform):
 *   get(key)                                   -> Promise<{ value: SeatRecord | null, version: number }>
 *   compareAndSet(key, expectedVersion, value) -> Promise<boolean>   (atomic; value null clears the key)
 *   set(key, value)                            -> Promise<void>      (unconditional)
 */
export class SeatBooking {
  /**
   * @param {object} store
   * @param {{ holdMs: number }} options holdMs: integer >= 1, else RangeError
   */
  constructor(store, options) {
    throw new Error('not implemented');
  }

  /** @returns {Promise<boolean>} */
  async hold(seatId, customerId, nowMs) {
    throw new Error('not implemented');
  }

  /** @returns {Promise<boolean>} */
  async confirm(seatId, customerId, nowMs) {
    throw new Error('not implemented');
  }

  /** @returns {Promise<boolean>} */
  async release(seatId, customerId, nowMs) {
    throw new Error('not implemented');
  }

  /** @returns {Promise<SeatStatus>} */
  async status(seatId, nowMs) {
    throw new Error('not implemented');
  }
}
