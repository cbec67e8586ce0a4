// Racy: remembers a key only once the charge has completed. One request at a time this is
// correct; duplicates that arrive while the first is still at the gateway all miss the cache
// and charge the card again.
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
  private readonly done = new Map<string, { request: Req; expiresAt: number; response: Res }>();
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
    const hit = this.done.get(key);
    if (hit && now < hit.expiresAt) {
      if (!same(hit.request, request)) throw new IdempotencyConflictError(key);
      return hit.response;
    }
    const response = await this.handler.handle(request);
    this.done.set(key, { request, expiresAt: now + this.ttl, response });
    return response;
  }
}
