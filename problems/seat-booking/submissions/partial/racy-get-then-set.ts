// Checks the seat with get() and then writes it with set(): correct one call at a time, but two
// customers who both read "available" before either writes both get the seat.
type SeatRecord = { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };
interface SeatStore {
  get(key: string): Promise<{ value: SeatRecord | null; version: number }>;
  set(key: string, value: SeatRecord | null): Promise<void>;
}

export class SeatBooking {
  private readonly holdMs: number;
  constructor(
    private readonly store: SeatStore,
    options: { holdMs: number },
  ) {
    if (!Number.isInteger(options?.holdMs) || options.holdMs < 1) throw new RangeError('holdMs must be an integer >= 1');
    this.holdMs = options.holdMs;
  }

  private async current(seatId: string, nowMs: number): Promise<SeatRecord | null> {
    const { value } = await this.store.get(seatId);
    if (value?.state === 'held' && nowMs >= value.expiresAtMs) return null;
    return value;
  }

  async hold(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    if ((await this.current(seatId, nowMs)) !== null) return false;
    await this.store.set(seatId, { state: 'held', customerId, expiresAtMs: nowMs + this.holdMs });
    return true;
  }

  async confirm(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    const r = await this.current(seatId, nowMs);
    if (r?.state !== 'held' || r.customerId !== customerId) return false;
    await this.store.set(seatId, { state: 'booked', customerId });
    return true;
  }

  async release(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    const r = await this.current(seatId, nowMs);
    if (r?.state !== 'held' || r.customerId !== customerId) return false;
    await this.store.set(seatId, null);
    return true;
  }

  async status(seatId: string, nowMs: number) {
    const r = await this.current(seatId, nowMs);
    if (!r) return { state: 'available' };
    return r.state === 'held'
      ? { state: 'held', customerId: r.customerId, expiresAtMs: r.expiresAtMs }
      : { state: 'booked', customerId: r.customerId };
  }
}
