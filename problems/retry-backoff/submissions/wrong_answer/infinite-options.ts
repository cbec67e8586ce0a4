// Wrong: takes a number for an integer when Math.floor leaves it unchanged, which Infinity passes:
// new RetryPolicy({ maxAttempts: Infinity, ... }) is accepted (and retries for ever) instead of
// throwing the RangeError the statement asks for. 0, 2.5, NaN and non-numbers are refused.
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  deadlineMs?: number;
  nonRetryable?: string[];
}

export interface RetryEnvironment {
  now(): number | Promise<number>;
  sleep(ms: number): Promise<void>;
  random(): number | Promise<number>;
}

export interface Operation<T> {
  run(attempt: number): Promise<T>;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && v >= 1 && Math.floor(v) === v;
}

export class RetryPolicy {
  private readonly nonRetryable: ReadonlySet<string>;

  constructor(
    private readonly options: RetryOptions,
    private readonly env: RetryEnvironment,
  ) {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs, nonRetryable } = options;
    if (!isPositiveInt(maxAttempts)) throw new RangeError('maxAttempts must be an integer >= 1');
    if (!isPositiveInt(baseDelayMs)) throw new RangeError('baseDelayMs must be an integer >= 1');
    if (!isPositiveInt(maxDelayMs) || maxDelayMs < baseDelayMs) throw new RangeError('maxDelayMs must be an integer >= baseDelayMs');
    if (deadlineMs !== undefined && !isPositiveInt(deadlineMs)) throw new RangeError('deadlineMs must be an integer >= 1');
    this.nonRetryable = new Set(nonRetryable ?? []);
  }

  async execute<T>(operation: Operation<T>): Promise<T> {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs } = this.options;
    const start = await this.env.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation.run(attempt);
      } catch (err) {
        const name = err instanceof Error ? err.name : '';
        if (this.nonRetryable.has(name) || attempt >= maxAttempts) throw err;
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.floor((await this.env.random()) * cap);
        if (deadlineMs !== undefined && (await this.env.now()) + delay > start + deadlineMs) throw err;
        await this.env.sleep(delay);
      }
    }
  }
}
