// Draws the fencing token with incr before taking the lock with setIfAbsent. Acquisitions that
// lose the setIfAbsent only skip numbers, so one call at a time the tokens increase; but between
// the incr and the setIfAbsent another process can draw a larger number, take the lock and let it
// go, and this lease then holds the lock with a token smaller than the earlier holder's.
import { randomUUID } from 'node:crypto';

function checkTtl(ttlMs) {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
}

export class DistributedLock {
  constructor(store) {
    this.store = store;
  }

  async tryAcquire(resource, ttlMs) {
    checkTtl(ttlMs);
    const token = randomUUID();
    const fencingToken = await this.store.incr(`fence:${resource}`);
    if (!(await this.store.setIfAbsent(`lock:${resource}`, token, ttlMs))) return null;
    return { resource, token, fencingToken };
  }

  release(lease) {
    return this.store.deleteIfEquals(`lock:${lease.resource}`, lease.token);
  }

  extend(lease, ttlMs) {
    checkTtl(ttlMs);
    return this.store.expireIfEquals(`lock:${lease.resource}`, lease.token, ttlMs);
  }
}
