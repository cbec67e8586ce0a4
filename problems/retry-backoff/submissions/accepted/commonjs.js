// Accepted: plain JavaScript, CommonJS export, loop with an explicit cap computation.
'use strict';

class RetryPolicy {
  constructor(options, env) {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs, nonRetryable = [] } = options;
    const isInt = (v) => Number.isInteger(v);
    if (!isInt(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts');
    if (!isInt(baseDelayMs) || baseDelayMs < 1) throw new RangeError('baseDelayMs');
    if (!isInt(maxDelayMs) || maxDelayMs < baseDelayMs) throw new RangeError('maxDelayMs');
    if (deadlineMs !== undefined && (!isInt(deadlineMs) || deadlineMs < 1)) throw new RangeError('deadlineMs');
    this.options = { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs };
    this.fatal = new Set(nonRetryable);
    this.env = env;
  }

  async execute(operation) {
    const { maxAttempts, baseDelayMs, maxDelayMs, deadlineMs } = this.options;
    const started = await this.env.now();
    let lastError;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return await operation.run(attempt);
      } catch (err) {
        lastError = err;
        if (err && this.fatal.has(err.name)) throw err;
        if (attempt === maxAttempts) break;
        const cap = Math.min(maxDelayMs, baseDelayMs * Math.pow(2, attempt - 1));
        const delay = Math.floor(cap * (await this.env.random()));
        if (deadlineMs !== undefined) {
          const now = await this.env.now();
          if (now + delay > started + deadlineMs) break;
        }
        await this.env.sleep(delay);
      }
    }
    throw lastError;
  }
}

module.exports = { RetryPolicy };
