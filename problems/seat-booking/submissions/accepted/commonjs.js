// A CommonJS solution: compare-and-set with a bounded retry loop.
'use strict';

class SeatBooking {
  constructor(store, options) {
    const holdMs = options && options.holdMs;
    if (!Number.isInteger(holdMs) || holdMs <= 0) throw new RangeError(`invalid holdMs: ${holdMs}`);
    this.store = store;
    this.holdMs = holdMs;
  }

  static isLive(record, nowMs) {
    if (!record) return false;
    return record.state === 'booked' || nowMs < record.expiresAtMs;
  }

  async hold(seatId, customerId, nowMs) {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const { value, version } = await this.store.get(seatId);
      if (SeatBooking.isLive(value, nowMs)) return false;
      const record = { state: 'held', customerId, expiresAtMs: nowMs + this.holdMs };
      if (await this.store.compareAndSet(seatId, version, record)) return true;
    }
    throw new Error('too much contention');
  }

  async transition(seatId, customerId, nowMs, next) {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const { value, version } = await this.store.get(seatId);
      if (!SeatBooking.isLive(value, nowMs) || value.state !== 'held' || value.customerId !== customerId) return false;
      if (await this.store.compareAndSet(seatId, version, next)) return true;
    }
    throw new Error('too much contention');
  }

  confirm(seatId, customerId, nowMs) {
    return this.transition(seatId, customerId, nowMs, { state: 'booked', customerId });
  }

  release(seatId, customerId, nowMs) {
    return this.transition(seatId, customerId, nowMs, null);
  }

  async status(seatId, nowMs) {
    const { value } = await this.store.get(seatId);
    if (!SeatBooking.isLive(value, nowMs)) return { state: 'available' };
    if (value.state === 'booked') return { state: 'booked', customerId: value.customerId };
    return { state: 'held', customerId: value.customerId, expiresAtMs: value.expiresAtMs };
  }
}

module.exports = { SeatBooking };
