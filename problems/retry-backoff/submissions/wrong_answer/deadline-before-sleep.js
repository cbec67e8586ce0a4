// Wrong: only checks that the deadline has not passed *yet*, ignoring the delay it is about
// to sleep, so the last attempt can start after the deadline.
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
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation.run(attempt);
      } catch (err) {
        if (nonRetryable.includes(err.name) || attempt >= maxAttempts) throw err;
        if (deadlineMs !== undefined && (await this.env.now()) >= start + deadlineMs) throw err;
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await this.env.sleep(Math.floor((await this.env.random()) * cap));
      }
    }
  }
}
