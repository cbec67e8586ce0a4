// Owner tokens come from a counter inside the instance ("1", "2", ...): unique within one process,
// but a second process hands out the same tokens, so one process's stale lease can release or
// extend a lock another process holds.
export class DistributedLock {
  constructor(store) {
    this.store = store;
    this.next = 0;
  }

  async tryAcquire(resource, ttlMs) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
    const token = String(++this.next);
    if (!(await this.store.setIfAbsent(`lock:${resource}`, token, ttlMs))) return null;
    const fencingToken = await this.store.incr(`fence:${resource}`);
    if ((await this.store.get(`lock:${resource}`)) !== token) return null;
    return { resource, token, fencingToken };
  }

  release(lease) {
    return this.store.deleteIfEquals(`lock:${lease.resource}`, lease.token);
  }

  extend(lease, ttlMs) {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
    return this.store.expireIfEquals(`lock:${lease.resource}`, lease.token, ttlMs);
  }
}
