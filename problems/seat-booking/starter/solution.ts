/** What the store keeps for a seat (the store itself never looks inside). */
export type SeatRecord = { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

/** The shared store, provided by the platform (think: a table row with a version column). */
export interface SeatStore {
  /** The key's current value and version (`{ value: null, version: 0 }` if never written). */
  get(key: string): Promise<{ value: SeatRecord | null; version: number }>;
  /**
   * Atomic: writes `value` (null clears the key) only if the key's version is still
   * `expectedVersion`. Resolves true if it wrote (the version then goes up by one).
   */
  compareAndSet(key: string, expectedVersion: number, value: SeatRecord | null): Promise<boolean>;
  /** Unconditional write (bumps the version too). */
  set(key: string, value: SeatRecord | null): Promise<void>;
}

export type SeatStatus =
  { state: 'available' } | { state: 'held'; customerId: string; expiresAtMs: number } | { state: 'booked'; customerId: string };

export interface SeatBookingOptions {
  /** How long a hold lasts, in ms: an integer >= 1, else RangeError. */
  holdMs: number;
}

export class SeatBooking {
  constructor(store: SeatStore, options: SeatBookingOptions) {
    throw new Error('not implemented');
  }

  /** Holds an available seat for `customerId` until nowMs + holdMs. */
  async hold(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    throw new Error('not implemented');
  }

  /** Turns `customerId`'s live hold into a booking. */
  async confirm(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    throw new Error('not implemented');
  }

  /** Gives up `customerId`'s live hold. */
  async release(seatId: string, customerId: string, nowMs: number): Promise<boolean> {
    throw new Error('not implemented');
  }

  /** The seat as seen at `nowMs`. */
  async status(seatId: string, nowMs: number): Promise<SeatStatus> {
    throw new Error('not implemented');
  }
}
