// Accepted: in-flight requests and finished responses kept in two maps; expired responses
// are dropped lazily when their key is touched.
export interface Handler<Req, Res> {
  handle(request: Req): Promise<Res>;
}
export interface Clock {
  now(): number | Promise<number>;
}
export interface IdempotencyOptions {
  ttlMs: number;
}

export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (Array.isArray(b)) return false;
  const ea = Object.entries(a);
  return ea.length === Object.keys(b).length && ea.every(([k, v]) => k in b && equal(v, (b as Record<string, unknown>)[k]));
}

export class IdempotentHandler<Req, Res> {
  private readonly ttl: number;
  private readonly inFlight = new Map<string, { request: Req; startedAt: number; promise: Promise<Res> }>();
  private readonly done = new Map<string, { request: Req; expiresAt: number; response: Res }>();

  constructor(
    private readonly handler: Handler<Req, Res>,
    private readonly clock: Clock,
    options: IdempotencyOptions,
  ) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) throw new RangeError(`invalid ttlMs ${options.ttlMs}`);
    this.ttl = options.ttlMs;
  }

  async handle(key: string, request: Req): Promise<Res> {
    const now = await this.clock.now();
    const running = this.inFlight.get(key);
    if (running) {
      if (!equal(running.request, request)) throw new IdempotencyConflictError(key);
      return running.promise;
    }
    const finished = this.done.get(key);
    if (finished && now < finished.expiresAt) {
      if (!equal(finished.request, request)) throw new IdempotencyConflictError(key);
      return finished.response;
    }
    this.done.delete(key);
    const promise = this.handler.handle(request);
    this.inFlight.set(key, { request, startedAt: now, promise });
    try {
      const response = await promise;
      this.done.set(key, { request, expiresAt: now + this.ttl, response });
      return response;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
