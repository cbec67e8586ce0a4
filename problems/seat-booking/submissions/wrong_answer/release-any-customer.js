// release() clears any live hold, whoever asks: one customer can free another customer's seat.
export class SeatBooking {
  constructor(store, options) {
    if (!Number.isInteger(options?.holdMs) || options.holdMs < 1) throw new RangeError('holdMs must be an integer >= 1');
    this.store = store;
    this.holdMs = options.holdMs;
  }

  live(record, nowMs) {
    if (record && record.state === 'held' && nowMs >= record.expiresAtMs) return null;
    return record;
  }

  async update(seatId, decide) {
    for (;;) {
      const { value, version } = await this.store.get(seatId);
      const next = decide(value);
      if (next === undefined) return false;
      if (await this.store.compareAndSet(seatId, version, next)) return true;
    }
  }

  hold(seatId, customerId, nowMs) {
    return this.update(seatId, (cur) =>
      this.live(cur, nowMs) ? undefined : { state: 'held', customerId, expiresAtMs: nowMs + this.holdMs },
    );
  }

  confirm(seatId, customerId, nowMs) {
    return this.update(seatId, (cur) => {
      const r = this.live(cur, nowMs);
      return r && r.state === 'held' && r.customerId === customerId ? { state: 'booked', customerId } : undefined;
    });
  }

  release(seatId, customerId, nowMs) {
    return this.update(seatId, (cur) => {
      const r = this.live(cur, nowMs);
      return r && r.state === 'held' ? null : undefined;
    });
  }

  async status(seatId, nowMs) {
    const r = this.live((await this.store.get(seatId)).value, nowMs);
    if (!r) return { state: 'available' };
    return r.state === 'held'
      ? { state: 'held', customerId: r.customerId, expiresAtMs: r.expiresAtMs }
      : { state: 'booked', customerId: r.customerId };
  }
}
