// extend() writes the lease's token back with set(), assuming the caller still holds the lock: an
// expired lease is brought back to life, even over the lock of whoever took it next.
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

  release(lease) {
    return this.store.deleteIfEquals(`lock:${lease.resource}`, lease.token);
  }

  async extend(lease, ttlMs) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
    await this.store.set(`lock:${lease.resource}`, lease.token, ttlMs);
    return true;
  }
}
