// Wrong: leaves the range of ttlMs (integer >= 1) to the store. The platform's store refuses 0,
// -1, 1.5 and NaN with a RangeError itself, so the calls still reject with one, but only after a
// store call the statement says an invalid ttl must not make (and a store without that check
// would take the lock with a ttl of 0 or 1.5). Everything else is the reference.
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

// Only the type is checked here: 0, -1, 1.5 and NaN go to the store, which happens to refuse them with a RangeError of its
// own, but the statement promises no such check and asks for none to be made.
function checkTtl(ttlMs: number): void {
  if (typeof ttlMs !== 'number') throw new RangeError('ttlMs must be a number');
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
    const fencingToken = await this.store.incr(fenceKey(resource));
    // The lease may have expired before the incr, and a later holder drawn a smaller number in
    // between. Our token still being there means nobody took the lock since our setIfAbsent, so
    // every earlier holder drew before us and every later one will draw after us.
    if ((await this.store.get(lockKey(resource))) !== token) return null;
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
