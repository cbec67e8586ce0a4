// Wrong: ignores ttlMs; a key is remembered forever, so after the window a new payment with
// an old key is answered from the cache (or rejected as a conflict) instead of being charged.
export class IdempotencyConflictError extends Error {
  name = 'IdempotencyConflictError';
}

const same = (a, b) => {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]));
};

export class IdempotentHandler {
  constructor(handler, clock, options) {
    if (!Number.isInteger(options?.ttlMs) || options.ttlMs < 1) throw new RangeError('ttlMs');
    this.handler = handler;
    this.clock = clock;
    this.entries = new Map();
  }

  async handle(key, request) {
    await this.clock.now();
    const e = this.entries.get(key);
    if (e) {
      if (!same(e.request, request)) throw new IdempotencyConflictError(key);
      return e.promise;
    }
    const entry = { request, promise: null };
    entry.promise = this.handler.handle(request).catch((err) => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    });
    this.entries.set(key, entry);
    return entry.promise;
  }
}
