// Wrong: reads options.holdMs without checking that options were given, so new SeatBooking(store)
// throws a TypeError instead of the RangeError the statement asks for. holdMs itself is checked as
// the reference does.
/** What the store keeps for a seat. */
export type SeatRecord = { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

/** The shared store (provided by the platform). */
export interface SeatStore {
  get(key: string): Promise<{ value: SeatRecord | null; version: number }>;
  compareAndSet(key: string, expectedVersion: number, value: SeatRecord | null): Promise<boolean>;
  set(key: string, value: SeatRecord | null): Promise<void>;
}

export type SeatStatus =
  { state: 'available' } | { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

export interface SeatBookingOptions {
  holdMs: number;
}

/** A live view of a record at `nowMs`: an expired hold reads as no record at all. */
function live(record: SeatRecord | null, nowMs: number): SeatRecord | null {
  if (record && record.state === 'held' && nowMs >= record.expiresAtMs) return null;
  return record;
}

export class SeatBooking {
  private readonly holdMs: number;

  constructor(
    private readonly store: SeatStore,
    options: SeatBookingOptions,
  ) {
    const holdMs = options.holdMs;
    if (typeof holdMs !== 'number' || !Number.isInteger(holdMs) || holdMs < 1) throw new RangeError('holdMs must be an integer >= 1');
    this.holdMs = holdMs;
  }

  /**
   * Reads the seat, lets `decide` compute the new record (or `undefined` to give up), and writes it
   * only if nobody wrote in between; on a conflict it reads again and decides again.
   */
  private async update(seatId: string, decide: (current: SeatRecord | null) => SeatRecord | null | undefined): Promise<boolean> {
    for (;;) {
      const { value, version } = await this.store.get(seatId);
      const next = decide(value);
      if (next === undefined) return false;
      if (await this.store.compareAndSet(seatId, version, next)) return true;
    }
  }

  hold(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    return this.update(seatId, (current) =>
      live(current, nowMs) === null ? { state: 'held', customerId, expiresAtMs: nowMs + this.holdMs } : undefined,
    );
  }

  confirm(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    return this.update(seatId, (current) => {
      const r = live(current, nowMs);
      return r?.state === 'held' && r.customerId === customerId ? { state: 'booked', customerId } : undefined;
    });
  }

  release(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    return this.update(seatId, (current) => {
      const r = live(current, nowMs);
      return r?.state === 'held' && r.customerId === customerId ? null : undefined;
    });
  }

  async status(seatId: string, nowMs: number): Promise<SeatStatus> {
    const { value } = await this.store.get(seatId);
    const r = live(value, nowMs);
    if (r === null) return { state: 'available' };
    return r.state === 'held'
      ? { state: 'held', customerId: r.customerId, expiresAtMs: r.expiresAtMs }
      : { state: 'booked', customerId: r.customerId };
  }
}
