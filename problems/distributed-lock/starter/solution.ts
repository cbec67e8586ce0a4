/** The shared store, provided by the platform: Redis-like string keys with expiry. */
export interface LockStore {
  /** Atomic (SET key value NX PX ttlMs): sets the key only if it is absent or expired; true if it did. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The key's value, or null if it is absent or expired. */
  get(key: string): Promise<string | number | null>;
  /** Atomic: deletes the key only if it currently holds `expected`; true if it did. */
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  /** Atomic: resets the key's expiry to ttlMs from now only if it currently holds `expected`. */
  expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean>;
  /** Atomic: adds 1 to a counter (created at 0, never expires) and resolves the new value. */
  incr(key: string): Promise<number>;
  /** Unconditional write with expiry. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Unconditional delete. */
  delete(key: string): Promise<void>;
}

/** A plain data object: it is copied, stored and passed back, never compared by identity. */
export interface Lease {
  resource: string;
  /** Unique to this acquisition, across every instance and process. */
  token: string;
  /** A positive integer, larger than that of every earlier acquisition of the same resource. */
  fencingToken: number;
}

export class DistributedLock {
  constructor(store: LockStore) {
    throw new Error('not implemented');
  }

  /** The lease if the lock was free (or expired), else null. ttlMs: integer >= 1, else RangeError. */
  async tryAcquire(resource: string, ttlMs: number): Promise<Lease | null> {
    throw new Error('not implemented');
  }

  /** True if this lease still held the lock and it is now free; false otherwise (changes nothing). */
  async release(lease: Lease): Promise<boolean> {
    throw new Error('not implemented');
  }

  /** True if this lease still holds the lock, which now expires ttlMs from now; false otherwise. */
  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    throw new Error('not implemented');
  }
}
