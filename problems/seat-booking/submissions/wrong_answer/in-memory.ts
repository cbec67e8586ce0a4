// Keeps seats in a Map inside the instance instead of the shared store: correct on one server,
// but a second server over the same store sees every seat as available.
type SeatRecord = { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

export class SeatBooking {
  private readonly holdMs: number;
  private readonly seats = new Map<string, SeatRecord>();

  constructor(_store: unknown, options: { holdMs: number }) {
    if (!Number.isInteger(options.holdMs) || options.holdMs < 1) throw new RangeError('holdMs must be an integer >= 1');
    this.holdMs = options.holdMs;
  }

  private current(seatId: string, nowMs: number): SeatRecord | undefined {
    const r = this.seats.get(seatId);
    if (r?.state === 'held' && nowMs >= r.expiresAtMs) {
      this.seats.delete(seatId);
      return undefined;
    }
    return r;
  }

  async hold(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    if (this.current(seatId, nowMs)) return false;
    this.seats.set(seatId, { state: 'held', customerId, expiresAtMs: nowMs + this.holdMs });
    return true;
  }

  async confirm(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    const r = this.current(seatId, nowMs);
    if (r?.state !== 'held' || r.customerId !== customerId) return false;
    this.seats.set(seatId, { state: 'booked', customerId });
    return true;
  }

  async release(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    const r = this.current(seatId, nowMs);
    if (r?.state !== 'held' || r.customerId !== customerId) return false;
    this.seats.delete(seatId);
    return true;
  }

  async status(seatId: string, nowMs: number) {
    const r = this.current(seatId, nowMs);
    if (!r) return { state: 'available' };
    return r.state === 'held'
      ? { state: 'held', customerId: r.customerId, expiresAtMs: r.expiresAtMs }
      : { state: 'booked', customerId: r.customerId };
  }
}
