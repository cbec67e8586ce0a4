// Check-then-act everywhere: get() the lock key, then set()/delete() it. Right one call at a time;
// under concurrency several acquirers see the key absent and all "win", and a release or extend
// that read its own token just before the lease expired clobbers the next holder's lock.
import { randomUUID } from 'node:crypto';

interface LockStore {
  get(key: string): Promise<string | number | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  incr(key: string): Promise<number>;
}
interface Lease {
  resource: string;
  token: string;
  fencingToken: number;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be an integer >= 1');
}

export class DistributedLock {
  constructor(private readonly store: LockStore) {}

  async tryAcquire(resource: string, ttlMs: number): Promise<Lease | null> {
    checkTtl(ttlMs);
    if ((await this.store.get(`lock:${resource}`)) !== null) return null;
    const token = randomUUID();
    await this.store.set(`lock:${resource}`, token, ttlMs);
    const fencingToken = await this.store.incr(`fence:${resource}`);
    if ((await this.store.get(`lock:${resource}`)) !== token) return null;
    return { resource, token, fencingToken };
  }

  async release(lease: Lease): Promise<boolean> {
    if ((await this.store.get(`lock:${lease.resource}`)) !== lease.token) return false;
    await this.store.delete(`lock:${lease.resource}`);
    return true;
  }

  async extend(lease: Lease, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    if ((await this.store.get(`lock:${lease.resource}`)) !== lease.token) return false;
    await this.store.set(`lock:${lease.resource}`, lease.token, ttlMs);
    return true;
  }
}
