// Wrong answer: keys are trimmed and lower-cased before use, so 'KEY-1' and 'key-1 ' are taken for
// the key 'key-1': a different client's checkout gets a conflict, or another customer's receipt.
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

interface Entry<Req, Res> {
  request: Req;
  expiresAt: number;
  pending: boolean;
  result: Promise<Res>;
}

/** Structural equality of JSON values; object key order does not matter, array order does. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  if (ka.length !== Object.keys(ob).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && sameJson((a as Record<string, unknown>)[k], ob[k]));
}

export class IdempotentHandler<Req, Res> {
  private readonly ttlMs: number;
  /** Insertion order = order of first arrival, so expired entries collect at the front. */
  private readonly entries = new Map<string, Entry<Req, Res>>();

  constructor(
    private readonly handler: Handler<Req, Res>,
    private readonly clock: Clock,
    options: IdempotencyOptions,
  ) {
    const ttl = options?.ttlMs;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) throw new RangeError('ttlMs must be an integer >= 1');
    this.ttlMs = ttl;
  }

  async handle(rawKey: string, request: Req): Promise<Res> {
    const key = rawKey.trim().toLowerCase(); // keys are normalised: 'Key-1 ' and 'key-1' are one key
    const now = await this.clock.now();
    this.sweep(now);
    // From here to entries.set there is no await: the check and the claim are atomic.
    const existing = this.entries.get(key);
    if (existing && (existing.pending || now < existing.expiresAt)) {
      if (!sameJson(existing.request, request)) throw new IdempotencyConflictError(`key "${key}" was used with a different request`);
      return existing.result;
    }
    if (existing) this.entries.delete(key);

    let resolve!: (v: Res) => void;
    let reject!: (e: unknown) => void;
    const entry: Entry<Req, Res> = {
      request: structuredClone(request),
      expiresAt: now + this.ttlMs,
      pending: true,
      result: new Promise<Res>((res, rej) => ((resolve = res), (reject = rej))),
    };
    this.entries.set(key, entry);
    try {
      const response = await this.handler.handle(request);
      entry.pending = false;
      resolve(response);
    } catch (err) {
      // A failure is not remembered: waiters get the error, the next request runs again.
      entry.pending = false;
      if (this.entries.get(key) === entry) this.entries.delete(key);
      reject(err);
    }
    return entry.result;
  }

  /** Drops expired, settled entries from the front (amortised O(1) per call). */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.pending || now < entry.expiresAt) break;
      this.entries.delete(key);
    }
  }
}
