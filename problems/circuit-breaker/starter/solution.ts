export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures, while closed, that open the circuit (integer >= 1). */
  failureThreshold: number;
  /** How long the circuit stays open before trial calls are allowed, in ms (integer >= 1). */
  cooldownMs: number;
  /** Trial calls admitted in each half-open period; all must succeed to close (integer >= 1). */
  halfOpenMaxCalls: number;
}

/** The protected dependency. */
export interface Downstream<Req, Res> {
  call(request: Req): Promise<Res>;
}

/** Thrown (as a rejection) when the breaker refuses a call without calling the downstream. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(message = 'circuit is open') {
    super(message);
  }
}

export class CircuitBreaker<Req = unknown, Res = unknown> {
  constructor(downstream: Downstream<Req, Res>, options: CircuitBreakerOptions) {
    throw new Error('not implemented');
  }

  /** Calls downstream.call(request) if the circuit admits it at `nowMs`, else rejects with CircuitOpenError. */
  async execute(request: Req, nowMs: number): Promise<Res> {
    throw new Error('not implemented');
  }

  /** The state of the circuit at `nowMs`. */
  state(nowMs: number): CircuitState {
    throw new Error('not implemented');
  }
}
