export interface RetryOptions {
  /** Total number of attempts, the first one included. Integer >= 1. */
  maxAttempts: number;
  /** Cap of the first retry's delay, in ms. Integer >= 1. */
  baseDelayMs: number;
  /** No delay cap grows beyond this, in ms. Integer >= baseDelayMs. */
  maxDelayMs: number;
  /** Optional overall budget in ms, counted from the start of execute(). Integer >= 1. */
  deadlineMs?: number;
  /** Names of errors (error.name) that must never be retried. */
  nonRetryable?: string[];
}

/** Time and randomness, injected. Always `await` what these return. */
export interface RetryEnvironment {
  now(): number | Promise<number>;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number | Promise<number>;
}

export interface Operation<T> {
  /** `attempt` is 1 for the first call, 2 for the first retry, ... */
  run(attempt: number): Promise<T>;
}

export class RetryPolicy {
  constructor(options: RetryOptions, env: RetryEnvironment) {
    throw new Error('not implemented');
  }

  async execute<T>(operation: Operation<T>): Promise<T> {
    throw new Error('not implemented');
  }
}
