// Wrong: every duplicate pushes the expiry forward (a sliding window), so a key that keeps
// being retried is never forgotten.
export interface Handler<Req, Res> {
  handle(request: Req): Promise<Res>;
}
export interface Clock {
  now(): number | Promise<number>;
}

export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && same((a as any)[k], (b as any)[k]));
}

export class IdempotentHandler<Req, Res> {
  private readonly entries = new Map<string, { request: Req; expiresAt: number; pending: boolean; promise: Promise<Res> }>();
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
    if (e && (e.pending || now < e.expiresAt)) {
      if (!same(e.request, request)) throw new IdempotencyConflictError(key);
      e.expiresAt = now + this.ttl; // refreshed on every hit
      return e.promise;
    }
    const entry = { request, expiresAt: now + this.ttl, pending: true, promise: undefined as unknown as Promise<Res> };
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
