// Wrong: when a create() rejects after its caller has already timed out, the pool drops the error
// and returns early, without giving the place back: it stays counted against max for good, and
// callers waiting for it are never served. Otherwise the reference.
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
  /** Connections being created or destroyed: they count against `max`. */
  private inTransit = 0;
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
    return this.idleConnections.length + this.borrowed.size + this.inTransit;
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
    this.borrowed.delete(id);
    if (!options?.broken) {
      this.idleConnections.push(held);
      this.dispatch();
      return;
    }
    this.inTransit++;
    try {
      await this.factory.destroy(held);
    } catch {
      // It is gone either way.
    } finally {
      this.inTransit--;
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
    this.inTransit++;
    this.factory.create().then(
      (connection) => {
        this.inTransit--;
        if (waiter.settled) this.giveBack(connection);
        else this.lend(waiter, connection);
      },
      (error: unknown) => {
        if (waiter.settled) return;
        this.inTransit--;
        this.settle(waiter).reject(error);
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
