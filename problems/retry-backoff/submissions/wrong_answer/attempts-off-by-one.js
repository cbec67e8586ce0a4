// Wrong: treats maxAttempts as the number of *retries*, so it makes one attempt too many.
export class RetryPolicy {
  constructor(options, env) {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts');
    if (!Number.isInteger(baseDelayMs) || baseDelayMs < 1) throw new RangeError('baseDelayMs');
    if (!Number.isInteger(maxDelayMs) || maxDelayMs < baseDelayMs) throw new RangeError('maxDelayMs');
    if (deadlineMs !== undefined && (!Number.isInteger(deadlineMs) || deadlineMs < 1)) throw new RangeError('deadlineMs');
    this.options = options;
    this.env = env;
  }

  async execute(operation) {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs, nonRetryable = [] } = this.options;
    const start = await this.env.now();
    let retries = 0;
    for (;;) {
      try {
        return await operation.run(retries + 1);
      } catch (err) {
        if (nonRetryable.includes(err.name) || retries >= maxAttempts) throw err;
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retries);
        const delay = Math.floor((await this.env.random()) * cap);
        if (deadlineMs !== undefined && (await this.env.now()) + delay > start + deadlineMs) throw err;
        await this.env.sleep(delay);
        retries++;
      }
    }
  }
}
