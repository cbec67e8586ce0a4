/**
 * store (provided by the platform), every method async:
 *   setIfAbsent(key, value, ttlMs)     -> Promise<boolean>  atomic SET NX PX
 *   get(key)                           -> Promise<string | number | null>
 *   deleteIfEquals(key, expected)      -> Promise<boolean>  atomic compare-and-delete
 *   expireIfEquals(key, expected, ttl) -> Promise<boolean>  atomic compare-and-extend
 *   incr(key)                          -> Promise<number>   atomic counter, never expires
 *   set(key, value, ttlMs)             -> Promise<void>     unconditional
 *   delete(key)                        -> Promise<void>     unconditional
 *
 * @typedef {{ resource: string, token: string, fencingToken: number }} Lease  a plain object
 */
export class DistributedLock {
  constructor(store) {
    throw new Error('not implemented');
  }

  /** @returns {Promise<Lease | null>} ttlMs: integer >= 1, else RangeError */
  async tryAcquire(resource, ttlMs) {
    throw new Error('not implemented');
  }

  /** @param {Lease} lease @returns {Promise<boolean>} */
  async release(lease) {
    throw new Error('not implemented');
  }

  /** @param {Lease} lease @returns {Promise<boolean>} */
  async extend(lease, ttlMs) {
    throw new Error('not implemented');
  }
}
