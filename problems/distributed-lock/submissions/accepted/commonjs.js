// CommonJS, Web Crypto UUIDs, one key prefix per resource.
'use strict';

function assertTtl(ttlMs) {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`bad ttlMs ${ttlMs}`);
}

class DistributedLock {
  constructor(store) {
    this.store = store;
  }

  keys(resource) {
    return { lock: `mutex/${resource}`, fence: `mutex/${resource}/fence` };
  }

  async tryAcquire(resource, ttlMs) {
    assertTtl(ttlMs);
    const { lock, fence } = this.keys(resource);
    const token = `${globalThis.crypto.randomUUID()}`;
    const won = await this.store.setIfAbsent(lock, token, ttlMs);
    if (!won) return null;
    const fencingToken = await this.store.incr(fence);
    // Expired before the incr? A later holder may have drawn a smaller number: not ours to hand out.
    if ((await this.store.get(lock)) !== token) return null;
    return { resource, token, fencingToken };
  }

  release({ resource, token }) {
    return this.store.deleteIfEquals(this.keys(resource).lock, token);
  }

  extend({ resource, token }, ttlMs) {
    assertTtl(ttlMs);
    return this.store.expireIfEquals(this.keys(resource).lock, token, ttlMs);
  }
}

module.exports = { DistributedLock };
