// Wrong: a connection released as broken stays on the lent list until its destroy() has resolved
// (that is how it keeps counting against max), so a second release() of it while it is being
// destroyed is accepted and puts the dying connection back in the pool. Otherwise the reference.
export interface Connection {
  readonly id: string;
}

export interface ConnectionFactory {
  create(): Promise<Connection>;
  destroy(connection: Connection): Promise<void>;
}

export interface Clock {
  sleep(ms: number): Promise<void>;
}

export interface PoolOptions {
  max: number;
  acquireTimeoutMs: number;
}

export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError';
  constructor(message = 'timed out waiting for a connection') {
    super(message);
  }
}

interface Waiter {
  resolve(connection: Connection): void;
  reject(error: unknown): void;
  settled: boolean;
}

export class ConnectionPool {
  private readonly max: number;
  private readonly acquireTimeoutMs: number;
  private readonly idleConnections: Connection[] = [];
  private readonly borrowed = new Map<string, Connection>();
  /** Waiters with nothing on the way for them yet, oldest first. */
  private readonly queue: Waiter[] = [];
  /** Connections being created: they count against `max` (one being destroyed is still lent). */
  private creating = 0;
  private pendingAcquires = 0;

  constructor(
    private readonly factory: ConnectionFactory,
    private readonly clock: Clock,
    options: PoolOptions,
  ) {
    const { max, acquireTimeoutMs } = options ?? ({} as PoolOptions);
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer >= 1');
    if (!Number.isInteger(acquireTimeoutMs) || acquireTimeoutMs < 1) throw new RangeError('acquireTimeoutMs must be an integer >= 1');
    this.max = max;
    this.acquireTimeoutMs = acquireTimeoutMs;
  }

  get size(): number {
    return this.idleConnections.length + this.borrowed.size + this.creating;
  }

  get idle(): number {
    return this.idleConnections.length;
  }

  get pending(): number {
    return this.pendingAcquires;
  }

  acquire(): Promise<Connection> {
    if (this.queue.length === 0 && this.idleConnections.length > 0) {
      const connection = this.idleConnections.pop()!;
      this.borrowed.set(connection.id, connection);
      return Promise.resolve(connection);
    }
    return new Promise<Connection>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, settled: false };
      this.pendingAcquires++;
      this.queue.push(waiter);
      this.dispatch();
      if (!waiter.settled) {
        this.clock.sleep(this.acquireTimeoutMs).then(
          () => this.expire(waiter),
          () => this.expire(waiter),
        );
      }
    });
  }

  async release(connection: Connection, options?: { broken?: boolean }): Promise<void> {
    const id = connection?.id;
    const held = typeof id === 'string' ? this.borrowed.get(id) : undefined;
    if (!held) throw new Error(`connection ${String(id)} is not borrowed from this pool`);
    if (!options?.broken) {
      this.borrowed.delete(id);
      this.idleConnections.push(held);
      this.dispatch();
      return;
    }
    try {
      await this.factory.destroy(held);
    } catch {
      // It is gone either way.
    } finally {
      this.borrowed.delete(id);
      this.dispatch();
    }
  }

  /** Serves queued waiters while there is an idle connection or room to create one. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      if (this.idleConnections.length > 0) {
        this.lend(this.queue.shift()!, this.idleConnections.pop()!);
      } else if (this.size < this.max) {
        this.createFor(this.queue.shift()!);
      } else {
        return;
      }
    }
  }

  private createFor(waiter: Waiter): void {
    this.creating++;
    this.factory.create().then(
      (connection) => {
        this.creating--;
        if (waiter.settled) this.giveBack(connection);
        else this.lend(waiter, connection);
      },
      (error: unknown) => {
        this.creating--;
        if (!waiter.settled) this.settle(waiter).reject(error);
        this.dispatch();
      },
    );
  }

  private lend(waiter: Waiter, connection: Connection): void {
    this.borrowed.set(connection.id, connection);
    this.settle(waiter).resolve(connection);
  }

  /** A connection nobody is waiting for any more: next in line, or idle. */
  private giveBack(connection: Connection): void {
    this.idleConnections.push(connection);
    this.dispatch();
  }

  private settle(waiter: Waiter): Waiter {
    waiter.settled = true;
    this.pendingAcquires--;
    return waiter;
  }

  private expire(waiter: Waiter): void {
    if (waiter.settled) return;
    const at = this.queue.indexOf(waiter);
    if (at >= 0) this.queue.splice(at, 1);
    this.settle(waiter).reject(new PoolTimeoutError(`no connection within ${this.acquireTimeoutMs} ms`));
  }
}
