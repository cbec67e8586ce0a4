// Accepted: CommonJS; requests are compared through a canonical fingerprint (JSON with sorted
// keys); in-flight work and finished responses share one map of promises.
'use strict';

class IdempotencyConflictError extends Error {
  constructor(message) {
    super(message);
    this.name = 'IdempotencyConflictError';
  }
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

class IdempotentHandler {
  constructor(handler, clock, options) {
    if (!options || !Number.isInteger(options.ttlMs) || options.ttlMs < 1) throw new RangeError('ttlMs must be a positive integer');
    this.handler = handler;
    this.clock = clock;
    this.ttlMs = options.ttlMs;
    this.records = new Map(); // key -> { fingerprint, expiresAt, done, promise }
  }

  async handle(key, request) {
    const now = await this.clock.now();
    const fingerprint = canonical(request);
    const record = this.records.get(key);
    if (record && (!record.done || now < record.expiresAt)) {
      if (record.fingerprint !== fingerprint) throw new IdempotencyConflictError(`idempotency key ${key} reused with another request`);
      return record.promise;
    }
    const fresh = { fingerprint, expiresAt: now + this.ttlMs, done: false, promise: null };
    fresh.promise = this.handler.handle(request).then(
      (response) => {
        fresh.done = true;
        return response;
      },
      (err) => {
        fresh.done = true;
        if (this.records.get(key) === fresh) this.records.delete(key);
        throw err;
      },
    );
    this.records.set(key, fresh);
    return fresh.promise;
  }
}

module.exports = { IdempotentHandler, IdempotencyConflictError };
