/**
 * @typedef {{ handle(request: any): Promise<any> }} Handler
 * @typedef {{ now(): number | Promise<number> }} Clock
 * @typedef {{ ttlMs: number }} IdempotencyOptions
 */

/** Thrown when a key is reused with a different request. */
export class IdempotencyConflictError extends Error {
  name = 'IdempotencyConflictError';
}

export class IdempotentHandler {
  /**
   * @param {Handler} handler
   * @param {Clock} clock
   * @param {IdempotencyOptions} options
   */
  constructor(handler, clock, options) {
    throw new Error('not implemented');
  }

  /**
   * @param {string} key
   * @param {any} request
   * @returns {Promise<any>}
   */
  async handle(key, request) {
    throw new Error('not implemented');
  }
}
