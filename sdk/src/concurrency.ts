/** Tools for making calls overlap on purpose. */

/** A promise a test opens when it chooses: holds driver-owned calls until a burst has arrived. */
export interface Latch {
  promise: Promise<void>;
  open(): void;
  readonly opened: boolean;
}

export function latch(): Latch {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const l = {
    promise,
    opened: false,
    open() {
      l.opened = true;
      resolve();
    },
  };
  return l;
}

/**
 * Runs `run(0)` … `run(count - 1)` with at most `limit` in flight at once (all at once by
 * default); resolves with the results in index order, or rejects with the first failure.
 */
export async function concurrently<T>(count: number, run: (i: number) => Promise<T>, limit = Infinity): Promise<T[]> {
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await run(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, limit) }, lane));
  return results;
}

/** `n` copies of `item` (e.g. the same request fired `n` times). */
export function repeat<T>(n: number, item: T): T[] {
  return Array.from({ length: n }, () => item);
}
