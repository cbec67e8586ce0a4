// Wrong answer: requests are compared by a fingerprint that sorts keys at every depth but writes
// an array like an object with index keys, so [1, 2] and {"0": 1, "1": 2} are the same request.
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

/** A canonical fingerprint: keys sorted at every depth, but arrays walked like objects by index. */
function fingerprint(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${fingerprint((value as Record<string, unknown>)[k])}`).join(',')}}`;
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

  async handle(key: string, request: Req): Promise<Res> {
    const now = await this.clock.now();
    this.sweep(now);
    // From here to entries.set there is no await: the check and the claim are atomic.
    const existing = this.entries.get(key);
    if (existing && (existing.pending || now < existing.expiresAt)) {
      if (fingerprint(existing.request) !== fingerprint(request))
        throw new IdempotencyConflictError(`key "${key}" was used with a different request`);
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
