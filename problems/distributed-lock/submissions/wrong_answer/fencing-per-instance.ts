// Fencing tokens come from a counter inside the instance: they increase within one process but
// two processes hand out the same numbers, so a later holder can get a smaller token.
import { randomUUID } from 'node:crypto';

/** The shared store (provided by the platform): Redis-like strings with expiry. */
export interface LockStore {
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | number | null>;
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean>;
  incr(key: string): Promise<number>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface Lease {
  resource: string;
  token: string;
  fencingToken: number;
}

function checkTtl(ttlMs: number): void {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
}

const lockKey = (resource: string) => `lock:${resource}`;

export class DistributedLock {
  private fence = 0;

  constructor(private readonly store: LockStore) {}

  async tryAcquire(resource: string, ttlMs: number): Promise<Lease | null> {
    checkTtl(ttlMs);
    // A random token is unique across processes; the store decides atomically who gets the key.
    const token = randomUUID();
    if (!(await this.store.setIfAbsent(lockKey(resource), token, ttlMs))) return null;
    // Counted in this instance while holding the lock: increases here, but not across instances.
    const fencingToken = ++this.fence;
    return { resource, token, fencingToken };
  }

  /** Compare-and-delete in one atomic step: never frees a lock someone else took after ours expired. */
  async release(lease: Lease): Promise<boolean> {
    return this.store.deleteIfEquals(lockKey(lease.resource), lease.token);
  }

  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return this.store.expireIfEquals(lockKey(lease.resource), lease.token, ttlMs);
  }
}
