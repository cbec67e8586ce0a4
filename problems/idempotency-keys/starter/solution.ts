/** The operation being made idempotent, e.g. a payment gateway's charge call. */
export interface Handler<Req, Res> {
  handle(request: Req): Promise<Res>;
}

/** Injected time in ms. Always `await` what now() returns. */
export interface Clock {
  now(): number | Promise<number>;
}

export interface IdempotencyOptions {
  /** How long a key is remembered, in ms, from its first request. Integer >= 1. */
  ttlMs: number;
}

/** Thrown when a key is reused with a different request. */
export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
}

export class IdempotentHandler<Req, Res> {
  constructor(handler: Handler<Req, Res>, clock: Clock, options: IdempotencyOptions) {
    throw new Error('not implemented');
  }

  async handle(key: string, request: Req): Promise<Res> {
    throw new Error('not implemented');
  }
}
