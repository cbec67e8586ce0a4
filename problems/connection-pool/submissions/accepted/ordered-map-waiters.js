// Accepted (JavaScript, CommonJS): waiters live in a Map keyed by ticket number (insertion order
// is FIFO and a timed-out waiter is deleted in O(1)); a slot is reserved before create() is
// awaited and returned only after destroy() has finished.
class PoolTimeoutError extends Error {
  constructor(message = 'timed out waiting for a connection') {
    super(message);
    this.name = 'PoolTimeoutError';
  }
}

class ConnectionPool {
  constructor(factory, clock, options = {}) {
    const { max, acquireTimeoutMs } = options;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer >= 1');
    if (!Number.isInteger(acquireTimeoutMs) || acquireTimeoutMs < 1) throw new RangeError('acquireTimeoutMs must be an integer >= 1');
    this.factory = factory;
    this.clock = clock;
    this.max = max;
    this.timeout = acquireTimeoutMs;
    this.free = []; // idle connections
    this.lent = new Map(); // id -> connection
    this.slots = 0; // reserved: alive, being created or being destroyed
    this.queue = new Map(); // ticket -> waiter, oldest first
    this.nextTicket = 0;
    this.unsettled = 0;
  }

  get size() {
    return this.slots;
  }

  get idle() {
    return this.free.length;
  }

  get pending() {
    return this.unsettled;
  }

  acquire() {
    if (this.queue.size === 0 && this.free.length > 0) {
      const c = this.free.pop();
      this.lent.set(c.id, c);
      return Promise.resolve(c);
    }
    return new Promise((resolve, reject) => {
      const ticket = this.nextTicket++;
      const waiter = { ticket, resolve, reject, done: false };
      this.unsettled++;
      this.queue.set(ticket, waiter);
      this.pump();
      if (!waiter.done) {
        this.clock.sleep(this.timeout).then(
          () => this.timedOut(waiter),
          () => this.timedOut(waiter),
        );
      }
    });
  }

  async release(connection, options) {
    const id = connection && connection.id;
    const c = this.lent.get(id);
    if (c === undefined) throw new Error(`connection ${id} is not lent out by this pool`);
    this.lent.delete(id);
    if (options && options.broken) {
      try {
        await this.factory.destroy(c);
      } catch {
        // gone anyway
      }
      this.slots--;
    } else {
      this.free.push(c);
    }
    this.pump();
  }

  oldest() {
    const first = this.queue.values().next();
    if (first.done) return undefined;
    this.queue.delete(first.value.ticket);
    return first.value;
  }

  pump() {
    while (this.queue.size > 0) {
      if (this.free.length > 0) {
        this.finish(this.oldest(), this.free.pop());
      } else if (this.slots < this.max) {
        this.slots++;
        this.open(this.oldest());
      } else {
        break;
      }
    }
  }

  open(waiter) {
    this.factory.create().then(
      (c) => {
        if (waiter.done) {
          this.free.push(c);
          this.pump();
        } else {
          this.finish(waiter, c);
        }
      },
      (err) => {
        this.slots--;
        if (!waiter.done) {
          waiter.done = true;
          this.unsettled--;
          waiter.reject(err);
        }
        this.pump();
      },
    );
  }

  finish(waiter, c) {
    this.lent.set(c.id, c);
    waiter.done = true;
    this.unsettled--;
    waiter.resolve(c);
  }

  timedOut(waiter) {
    if (waiter.done) return;
    waiter.done = true;
    this.queue.delete(waiter.ticket);
    this.unsettled--;
    waiter.reject(new PoolTimeoutError(`no connection within ${this.timeout} ms`));
  }
}

module.exports = { ConnectionPool, PoolTimeoutError };
