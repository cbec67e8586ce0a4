// Wrong: compares requests with JSON.stringify, which depends on property order: a client
// that serialises the same request with its fields in another order gets a conflict.
export class IdempotencyConflictError extends Error {
  name = 'IdempotencyConflictError';
}

export class IdempotentHandler {
  constructor(handler, clock, options) {
    if (!Number.isInteger(options?.ttlMs) || options.ttlMs < 1) throw new RangeError('ttlMs');
    this.handler = handler;
    this.clock = clock;
    this.ttl = options.ttlMs;
    this.entries = new Map();
  }

  async handle(key, request) {
    const now = await this.clock.now();
    const body = JSON.stringify(request);
    const e = this.entries.get(key);
    if (e && (e.pending || now < e.expiresAt)) {
      if (e.body !== body) throw new IdempotencyConflictError(key);
      return e.promise;
    }
    const entry = { body, expiresAt: now + this.ttl, pending: true, promise: null };
    entry.promise = this.handler.handle(request).then(
      (r) => {
        entry.pending = false;
        return r;
      },
      (err) => {
        entry.pending = false;
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, entry);
    return entry.promise;
  }
}
