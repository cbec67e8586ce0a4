// Wrong: plain exponential backoff without jitter (always sleeps the full cap), so every
// client that failed together retries together.
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

export class RetryPolicy {
  constructor(
    private readonly o: RetryOptions,
    private readonly env: RetryEnvironment,
  ) {
    const int = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
    if (!int(o.maxAttempts, 1) || !int(o.baseDelayMs, 1) || !int(o.maxDelayMs, o.baseDelayMs)) throw new RangeError('bad options');
    if (o.deadlineMs !== undefined && !int(o.deadlineMs, 1)) throw new RangeError('bad deadline');
  }

  async execute<T>(operation: Operation<T>): Promise<T> {
    const start = await this.env.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation.run(attempt);
      } catch (err) {
        if ((this.o.nonRetryable ?? []).includes((err as Error).name) || attempt >= this.o.maxAttempts) throw err;
        const delay = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
        if (this.o.deadlineMs !== undefined && (await this.env.now()) + delay > start + this.o.deadlineMs) throw err;
        await this.env.sleep(delay);
      }
    }
  }
}
