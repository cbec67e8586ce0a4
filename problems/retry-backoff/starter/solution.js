/**
 * @typedef {{ maxAttempts: number, baseDelayMs: number, maxDelayMs: number,
 *             deadlineMs?: number, nonRetryable?: string[] }} RetryOptions
 * @typedef {{ now(): number | Promise<number>, sleep(ms: number): Promise<void>,
 *             random(): number | Promise<number> }} RetryEnvironment
 * @typedef {{ run(attempt: number): Promise<any> }} Operation
 */

export class RetryPolicy {
  /**
   * @param {RetryOptions} options
   * @param {RetryEnvironment} env
   */
  constructor(options, env) {
    throw new Error('not implemented');
  }

  /**
   * @param {Operation} operation
   * @returns {Promise<any>}
   */
  async execute(operation) {
    throw new Error('not implemented');
  }
}
