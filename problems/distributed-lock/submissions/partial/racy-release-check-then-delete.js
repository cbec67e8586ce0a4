// Acquires atomically, but releases with get() + compare + delete(): if the lease expires between
// the read and the delete and someone else takes the lock, the delete frees their lock.
import { randomUUID } from 'node:crypto';

export class DistributedLock {
  constructor(store) {
    this.store = store;
  }

  async tryAcquire(resource, ttlMs) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
    const token = randomUUID();
    if (!(await this.store.setIfAbsent(`lock:${resource}`, token, ttlMs))) return null;
    const fencingToken = await this.store.incr(`fence:${resource}`);
    if ((await this.store.get(`lock:${resource}`)) !== token) return null;
    return { resource, token, fencingToken };
  }

  async release(lease) {
    const current = await this.store.get(`lock:${lease.resource}`);
    if (current !== lease.token) return false;
    await this.store.delete(`lock:${lease.resource}`);
    return true;
  }

  async extend(lease, ttlMs) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
    return this.store.expireIfEquals(`lock:${lease.resource}`, lease.token, ttlMs);
  }
}
