/** Assertions. Make `what` describe the call (`get("a")`, `new LRUCache(0)`): sample-test failures show it. */
import { AssertionFailure, isRemoteError, type RemoteError } from './errors';
import { deepEqual, show } from './values';

export interface Expectation {
  /** `Object.is`. */
  toBe(expected: unknown): void;
  /** `deepEqual`: arrays in order, objects in any key order. */
  toEqual(expected: unknown): void;
  /** Only the keys of `expected` are compared (each with `deepEqual`); extra fields are tolerated. */
  toHaveFields(expected: Record<string, unknown>): void;
  toSatisfy(predicate: (v: unknown) => boolean, description: string): void;
}

export function expect(actual: unknown, what = 'value'): Expectation {
  const mismatch = (expected: unknown, got: unknown = actual) =>
    new AssertionFailure(`${what}: expected ${show(expected)}, got ${show(got)}`, expected, got);
  return {
    toBe(expected) {
      if (!Object.is(actual, expected)) throw mismatch(expected);
    },
    toEqual(expected) {
      if (!deepEqual(actual, expected)) throw mismatch(expected);
    },
    toHaveFields(expected) {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) throw mismatch(expected);
      const got = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]));
      if (!deepEqual(got, expected)) throw mismatch(expected, got);
    },
    toSatisfy(predicate, description) {
      if (!predicate(actual)) throw new AssertionFailure(`${what}: expected ${description}, got ${show(actual)}`, description, actual);
    },
  };
}

/** Fails the test with a message. */
export function fail(message: string, expected?: unknown, actual?: unknown): never {
  throw new AssertionFailure(message, expected, actual);
}

/** Asserts that `promise` rejects because candidate code threw (optionally an error of `name`). */
export async function expectRejects(promise: Promise<unknown>, name?: string, what = 'call'): Promise<RemoteError> {
  let value: unknown;
  try {
    value = await promise;
  } catch (e) {
    if (!isRemoteError(e)) throw e;
    if (name && e.remoteName !== name)
      throw new AssertionFailure(`${what}: expected a ${name}, got ${e.remoteName}: ${e.message}`, name, e.remoteName);
    return e;
  }
  throw new AssertionFailure(
    `${what}: expected it to throw${name ? ` a ${name}` : ''}, it returned ${show(value)}`,
    name ?? 'an error',
    value,
  );
}

/**
 * Fails the test with a wrong answer, instead of letting it run into its timeout, when `promise`
 * has not settled within `ms`: a waiter that is never served is the candidate's bug, not slowness.
 */
export async function within<T>(promise: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AssertionFailure(`${what} did not settle within ${ms} ms`, `settled within ${ms} ms`, 'still pending')),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until `condition` holds (polled every `pollMs` with the test's sleep), for a state the
 * candidate's code must reach (a waiter queued, a timer started); fails as a wrong answer when it
 * never does, after about `timeoutMs`.
 */
export async function until(
  ctx: { sleep(ms: number): Promise<void> },
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 1200,
  pollMs = 2,
): Promise<void> {
  for (let waited = 0; ; waited += pollMs) {
    if (await condition()) return;
    if (waited >= timeoutMs) fail(`gave up waiting: ${what}`, what, 'never happened');
    await ctx.sleep(pollMs);
  }
}

/** How a call into candidate code ended: a value, or the name and message of what it threw. */
export type Outcome<T = unknown> = { ok: T } | { error: string; message: string };

/**
 * Settles `promise` into an `Outcome`, for tests that compare many calls' results and errors at
 * once. Only candidate errors become outcomes; anything else (a broken test, a dead subject)
 * still rejects.
 */
export async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await promise };
  } catch (e) {
    if (!isRemoteError(e)) throw e;
    return { error: e.remoteName, message: e.message };
  }
}

/** `resolved with {...}` / `rejected with RangeError: ...`, for messages. */
export function describeOutcome(o: Outcome): string {
  return 'ok' in o ? `resolved with ${show(o.ok)}` : `rejected with ${o.error}${o.message ? `: ${o.message}` : ''}`;
}
