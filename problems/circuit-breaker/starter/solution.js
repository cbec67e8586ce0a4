/** @typedef {'closed' | 'open' | 'half-open'} CircuitState */

/**
 * @typedef {object} CircuitBreakerOptions
 * @property {number} failureThreshold  consecutive failures, while closed, that open the circuit (integer >= 1)
 * @property {number} cooldownMs        how long the circuit stays open before trial calls are allowed, in ms (integer >= 1)
 * @property {number} halfOpenMaxCalls  trial calls admitted in each half-open period; all must succeed to close (integer >= 1)
 */

/** Thrown (as a rejection) when the breaker refuses a call without calling the downstream. */
export class CircuitOpenError extends Error {
  constructor(message = 'circuit is open') {
    super(message);
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  /**
   * @param {{ call(request: unknown): Promise<unknown> }} downstream  the protected dependency
   * @param {CircuitBreakerOptions} options
   */
  constructor(downstream, options) {
    throw new Error('not implemented');
  }

  /**
   * Calls downstream.call(request) if the circuit admits it at `nowMs`, else rejects with CircuitOpenError.
   * @param {unknown} request
   * @param {number} nowMs
   * @returns {Promise<unknown>}
   */
  async execute(request, nowMs) {
    throw new Error('not implemented');
  }

  /**
   * The state of the circuit at `nowMs`.
   * @param {number} nowMs
   * @returns {CircuitState}
   */
  state(nowMs) {
    throw new Error('not implemented');
  }
}
