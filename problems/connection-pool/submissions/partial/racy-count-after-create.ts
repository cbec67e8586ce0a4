// Racy: right when callers come one at a time, but it checks `total < max` and only counts the
// new connection after `await factory.create()` resolves. A burst of concurrent acquire() calls
// all pass the check before any create() finishes, and the pool opens far more than max (so does a
// caller arriving while another's create() is still running). `size` does count creates in flight.
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
}

interface Waiter {
  resolve(c: Connection): void;
  reject(e: unknown): void;
  settled: boolean;
}

export class ConnectionPool {
  private readonly idleList: Connection[] = [];
  private readonly borrowed = new Map<string, Connection>();
  private readonly queue: Waiter[] = [];
  /** Connections created and not yet destroyed. */
  private total = 0;
  /** create() calls not answered yet: reported in size, but not checked against max. */
  private creating = 0;
  private pendingCount = 0;
  private readonly max: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly factory: ConnectionFactory,
    private readonly clock: Clock,
    options: PoolOptions,
  ) {
    if (!Number.isInteger(options?.max) || options.max < 1) throw new RangeError('bad max');
    if (!Number.isInteger(options?.acquireTimeoutMs) || options.acquireTimeoutMs < 1) throw new RangeError('bad acquireTimeoutMs');
    this.max = options.max;
    this.timeoutMs = options.acquireTimeoutMs;
  }

  get size(): number {
    return this.total + this.creating;
  }

  get idle(): number {
    return this.idleList.length;
  }

  get pending(): number {
    return this.pendingCount;
  }

  acquire(): Promise<Connection> {
    if (this.queue.length === 0 && this.idleList.length > 0) {
      const c = this.idleList.pop()!;
      this.borrowed.set(c.id, c);
      return Promise.resolve(c);
    }
    return new Promise<Connection>((resolve, reject) => {
      const w: Waiter = { resolve, reject, settled: false };
      this.pendingCount++;
      this.clock.sleep(this.timeoutMs).then(() => this.expire(w));
      if (this.queue.length === 0 && this.total < this.max) void this.createFor(w);
      else this.queue.push(w);
    });
  }

  async release(connection: Connection, options?: { broken?: boolean }): Promise<void> {
    const c = this.borrowed.get(connection?.id);
    if (!c) throw new Error('not borrowed from this pool');
    this.borrowed.delete(c.id);
    if (options?.broken) {
      try {
        await this.factory.destroy(c);
      } catch {
        // gone anyway
      }
      this.total--;
      this.serveNext();
      return;
    }
    this.putBack(c);
  }

  private async createFor(w: Waiter): Promise<void> {
    let c: Connection;
    this.creating++;
    try {
      c = await this.factory.create();
    } catch (e) {
      this.creating--;
      if (!w.settled) this.settle(w).reject(e);
      this.serveNext();
      return;
    }
    this.creating--;
    this.total++;
    if (w.settled) this.putBack(c);
    else this.lend(w, c);
  }

  private serveNext(): void {
    if (this.queue.length > 0 && this.total < this.max) void this.createFor(this.queue.shift()!);
  }

  private putBack(c: Connection): void {
    const w = this.queue.shift();
    if (w) this.lend(w, c);
    else this.idleList.push(c);
  }

  private lend(w: Waiter, c: Connection): void {
    this.borrowed.set(c.id, c);
    this.settle(w).resolve(c);
  }

  private settle(w: Waiter): Waiter {
    w.settled = true;
    this.pendingCount--;
    return w;
  }

  private expire(w: Waiter): void {
    if (w.settled) return;
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
    this.settle(w).reject(new PoolTimeoutError('timed out waiting for a connection'));
  }
}
