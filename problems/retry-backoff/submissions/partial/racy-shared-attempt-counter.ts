// Racy: keeps the attempt counter and start time on the policy instance. Correct when one
// execution runs at a time; concurrent executions through one policy overwrite each other's
// counters, so attempts are skipped or repeated.
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
  private attempt = 0;
  private start = 0;

  constructor(
    private readonly o: RetryOptions,
    private readonly env: RetryEnvironment,
  ) {
    const int = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
    if (!int(o.maxAttempts, 1) || !int(o.baseDelayMs, 1) || !int(o.maxDelayMs, o.baseDelayMs)) throw new RangeError('bad options');
    if (o.deadlineMs !== undefined && !int(o.deadlineMs, 1)) throw new RangeError('bad deadline');
  }

  async execute<T>(operation: Operation<T>): Promise<T> {
    this.attempt = 0;
    this.start = await this.env.now();
    for (;;) {
      this.attempt++;
      try {
        return await operation.run(this.attempt);
      } catch (err) {
        if ((this.o.nonRetryable ?? []).includes((err as Error).name) || this.attempt >= this.o.maxAttempts) throw err;
        const cap = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (this.attempt - 1));
        const delay = Math.floor((await this.env.random()) * cap);
        if (this.o.deadlineMs !== undefined && (await this.env.now()) + delay > this.start + this.o.deadlineMs) throw err;
        await this.env.sleep(delay);
      }
    }
  }
}
