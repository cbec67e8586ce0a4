/** A connection handle from the factory. Identify connections by `id`. */
export interface Connection {
  readonly id: string;
}

/** Opens and closes real connections (the database driver). */
export interface ConnectionFactory {
  create(): Promise<Connection>;
  destroy(connection: Connection): Promise<void>;
}

/** The pool's only source of time. */
export interface Clock {
  /** Resolves once `ms` milliseconds have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export interface PoolOptions {
  /** Most connections alive at once (integer >= 1). */
  max: number;
  /** How long an acquire() may wait before it rejects with PoolTimeoutError (integer >= 1). */
  acquireTimeoutMs: number;
}

export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError';
  constructor(message = 'timed out waiting for a connection') {
    super(message);
  }
}

export class ConnectionPool {
  constructor(factory: ConnectionFactory, clock: Clock, options: PoolOptions) {
    throw new Error('not implemented');
  }

  /** Connections counted against `max`: idle, lent out, being created or being destroyed. */
  get size(): number {
    throw new Error('not implemented');
  }

  /** Connections sitting idle in the pool. */
  get idle(): number {
    throw new Error('not implemented');
  }

  /** acquire() calls that have not resolved or rejected yet. */
  get pending(): number {
    throw new Error('not implemented');
  }

  /** Lends a connection: an idle one, a new one if there is room, or the next one released. */
  acquire(): Promise<Connection> {
    throw new Error('not implemented');
  }

  /** Gives a borrowed connection back; a broken one is destroyed instead of reused. */
  async release(connection: Connection, options?: { broken?: boolean }): Promise<void> {
    throw new Error('not implemented');
  }
}
