// Wrong: never compares requests, so a key reused with a different amount silently gets the
// first request's receipt instead of an IdempotencyConflictError.
export interface Handler<Req, Res> {
  handle(request: Req): Promise<Res>;
}
export interface Clock {
  now(): number | Promise<number>;
}

export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
}

export class IdempotentHandler<Req, Res> {
  private readonly entries = new Map<string, { expiresAt: number; pending: boolean; promise: Promise<Res> }>();
  private readonly ttl: number;

  constructor(
    private readonly handler: Handler<Req, Res>,
    private readonly clock: Clock,
    options: { ttlMs: number },
  ) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs < 1) throw new RangeError('ttlMs');
    this.ttl = options.ttlMs;
  }

  async handle(key: string, request: Req): Promise<Res> {
    const now = await this.clock.now();
    const e = this.entries.get(key);
    if (e && (e.pending || now < e.expiresAt)) return e.promise;
    const entry = { expiresAt: now + this.ttl, pending: true, promise: undefined as unknown as Promise<Res> };
    entry.promise = this.handler.handle(request).then(
      (r) => ((entry.pending = false), r),
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
