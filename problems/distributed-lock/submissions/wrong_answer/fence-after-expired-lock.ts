// Takes the lock with setIfAbsent, then draws the fencing token with incr, and hands the lease out
// without checking that it still holds the lock. If the lease expires between the two calls and
// another process takes the lock and draws first, the later holder gets the smaller token: the
// storage, having seen the expired lease's larger one, rejects the rightful holder's writes.
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
const fenceKey = (resource: string) => `fence:${resource}`;

export class DistributedLock {
  constructor(private readonly store: LockStore) {}

  async tryAcquire(resource: string, ttlMs: number): Promise<Lease | null> {
    checkTtl(ttlMs);
    // A random token is unique across processes; the store decides atomically who gets the key.
    const token = randomUUID();
    if (!(await this.store.setIfAbsent(lockKey(resource), token, ttlMs))) return null;
    // "Taken while holding the lock, so a later holder always draws a larger number": not if the
    // lease expired on the way.
    const fencingToken = await this.store.incr(fenceKey(resource));
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
