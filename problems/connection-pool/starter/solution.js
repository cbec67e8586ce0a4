/**
 * A connection handle from the factory. Identify connections by `id`.
 * @typedef {{ readonly id: string }} Connection
 */

/**
 * Opens and closes real connections (the database driver).
 * @typedef {object} ConnectionFactory
 * @property {() => Promise<Connection>} create
 * @property {(connection: Connection) => Promise<void>} destroy
 */

/**
 * The pool's only source of time.
 * @typedef {object} Clock
 * @property {(ms: number) => Promise<void>} sleep  resolves once `ms` milliseconds have passed on this clock
 */

/**
 * @typedef {object} PoolOptions
 * @property {number} max               most connections alive at once (integer >= 1)
 * @property {number} acquireTimeoutMs  how long an acquire() may wait before it rejects with PoolTimeoutError (integer >= 1)
 */

export class PoolTimeoutError extends Error {
  constructor(message = 'timed out waiting for a connection') {
    super(message);
    this.name = 'PoolTimeoutError';
  }
}

export class ConnectionPool {
  /**
   * @param {ConnectionFactory} factory
   * @param {Clock} clock
   * @param {PoolOptions} options
   */
  constructor(factory, clock, options) {
    throw new Error('not implemented');
  }

  /** Connections counted against `max`: idle, lent out, being created or being destroyed. @returns {number} */
  get size() {
    throw new Error('not implemented');
  }

  /** Connections sitting idle in the pool. @returns {number} */
  get idle() {
    throw new Error('not implemented');
  }

  /** acquire() calls that have not resolved or rejected yet. @returns {number} */
  get pending() {
    throw new Error('not implemented');
  }

  /**
   * Lends a connection: an idle one, a new one if there is room, or the next one released.
   * @returns {Promise<Connection>}
   */
  acquire() {
    throw new Error('not implemented');
  }

  /**
   * Gives a borrowed connection back; a broken one is destroyed instead of reused.
   * @param {Connection} connection
   * @param {{ broken?: boolean }} [options]
   * @returns {Promise<void>}
   */
  async release(connection, options) {
    throw new Error('not implemented');
  }
}
