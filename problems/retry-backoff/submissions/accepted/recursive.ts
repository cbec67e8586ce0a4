// Accepted: same rules written as a recursive helper, options normalised up front.
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

const checkInt = (name: string, v: unknown, min: number): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}`);
  return v;
};

export class RetryPolicy {
  readonly #max: number;
  readonly #base: number;
  readonly #cap: number;
  readonly #deadline: number;
  readonly #fatal: string[];

  constructor(
    options: RetryOptions,
    private readonly env: RetryEnvironment,
  ) {
    this.#max = checkInt('maxAttempts', options.maxAttempts, 1);
    this.#base = checkInt('baseDelayMs', options.baseDelayMs, 1);
    this.#cap = checkInt('maxDelayMs', options.maxDelayMs, this.#base);
    this.#deadline = options.deadlineMs === undefined ? Infinity : checkInt('deadlineMs', options.deadlineMs, 1);
    this.#fatal = [...(options.nonRetryable ?? [])];
  }

  async execute<T>(operation: Operation<T>): Promise<T> {
    const giveUpAt = (await this.env.now()) + this.#deadline;
    let cap = this.#base;
    const attempt = async (n: number): Promise<T> => {
      let error: unknown;
      try {
        return await operation.run(n);
      } catch (e) {
        error = e;
      }
      const name = (error as { name?: unknown } | null)?.name;
      if (n === this.#max || (typeof name === 'string' && this.#fatal.includes(name))) throw error;
      const delay = Math.floor((await this.env.random()) * cap);
      cap = Math.min(cap * 2, this.#cap);
      if ((await this.env.now()) + delay > giveUpAt) throw error;
      await this.env.sleep(delay);
      return attempt(n + 1);
    };
    return attempt(1);
  }
}
