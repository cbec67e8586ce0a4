/** The errors tests throw and catch. The driver tells them apart by name and marker, never by
 * class: a suites bundle carries its own copy of the SDK. */

/** Thrown by `expect`; the driver reports expected/actual for sample tests only. */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
  constructor(
    message: string,
    readonly expected?: unknown,
    readonly actual?: unknown,
  ) {
    super(message);
  }
}

/** What a call rejects with when candidate code throws. */
export interface RemoteError extends Error {
  readonly remote: true;
  /** The candidate's error name, e.g. `RangeError`. */
  readonly remoteName: string;
}

export function isRemoteError(e: unknown): e is RemoteError {
  return typeof e === 'object' && e !== null && (e as { remote?: unknown }).remote === true;
}

/**
 * An error with a given name, for driver-owned fakes to throw at candidate code (`CardDeclined`,
 * `ConnectError`): the name is what crosses the boundary, so the candidate can tell them apart.
 */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
