// Racy: hold and confirm use compare-and-set, but release reads the seat, checks that the caller
// holds it, then clears it with an unconditional set(). Just before a hold expires, another
// customer's hold (made just after the expiry) can take the seat between the read and the write,
// and the late release frees that customer's seat: right one call at a time, wrong under
// concurrency, so partial.
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
    const holdMs = options?.holdMs;
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

  async release(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    const { value } = await this.store.get(seatId);
    const r = live(value, nowMs);
    if (r?.state !== 'held' || r.customerId !== customerId) return false;
    await this.store.set(seatId, null); // unconditional: the seat may have changed hands since the read
    return true;
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
