/**
 * The authoring SDK: what a problem's `suites.ts` imports.
 *
 * Suites are trusted code. They run inside the sandbox in the driver process, which holds the
 * hidden tests; candidate code runs in a separate, unprivileged subject process and is reached
 * only through the `Subject` handle below. Everything a test observes (return values, thrown
 * errors, timings) is observed here, on the driver side.
 *
 * The driver supplies every runtime object (`Subject`, `Rng`, `expose`); this module only holds
 * the types and the small pure helpers (`test`, `sample`, `expect`, `defineSuites`).
 */

/** Seeded randomness: the same seed gives the same tests on every run. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** A candidate-owned object living in the subject process. */
export interface RemoteObject {
  /** Calls a method; rejects with a `RemoteError` when the candidate's code throws. */
  call(method: string, ...args: unknown[]): Promise<unknown>;
  /** Reads a property (getters included). */
  prop(name: string): Promise<unknown>;
}

/** The candidate's code, as seen from a test. */
export interface Subject {
  /** `new ExportedClass(...args)` in the subject process. */
  construct(className: string, ...args: unknown[]): Promise<RemoteObject>;
  /** Calls an exported function. */
  call(fn: string, ...args: unknown[]): Promise<unknown>;
}

/** For service problems: the candidate's HTTP server, listening on loopback in the sandbox. */
export interface HttpClient {
  readonly baseUrl: string;
  request(req: HttpRequest): Promise<HttpResponse>;
}
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response says so, else the text. */
  body: unknown;
  text: string;
}

/** Marks a driver-owned object that candidate code may call back into. */
export interface Exposed<T extends object> {
  readonly __exposed: T;
}

export interface TestContext {
  subject: Subject;
  /** Service problems only. */
  http: HttpClient;
  /** Seeded per test from the grading seed and the test name. */
  rng: Rng;
  /**
   * Makes a driver-owned object usable as an argument: the candidate receives an object whose
   * methods are async and forward to `target` here. Use it for stores with jittered latency,
   * clocks, gateways that count charges.
   */
  expose<T extends object>(target: T): Exposed<T>;
  sleep(ms: number): Promise<void>;
}

export interface TestDef {
  name: string;
  /** Sample tests are shown to the candidate in full (input, expected, actual). */
  sample: boolean;
  timeoutMs?: number;
  run(ctx: TestContext): Promise<void>;
}

export interface TestOptions {
  timeoutMs?: number;
}

/** A hidden test: the candidate sees its name and whether it passed, nothing else. */
export function test(name: string, run: (ctx: TestContext) => Promise<void>, opts: TestOptions = {}): TestDef {
  return { name, sample: false, run, ...opts };
}

/** A sample test: shown to the candidate in full. */
export function sample(name: string, run: (ctx: TestContext) => Promise<void>, opts: TestOptions = {}): TestDef {
  return { name, sample: true, run, ...opts };
}

/** A batch of calls of one method, each entry of `argsList` being one call's arguments. */
export interface CallBatch {
  method: string;
  argsList: unknown[][];
}

/**
 * One structure of a given size, and the operation to time on it. The driver builds it in the
 * subject (`construct`, then every `setup` batch in order), then times `measure` batches from the
 * driver side. With `construct: null` the batches call exported functions instead of methods
 * (e.g. `isBalanced` on inputs of length n).
 */
export interface Workload {
  construct: { className: string; args: unknown[] } | null;
  setup: CallBatch[];
  measure: CallBatch;
}

/** A complexity probe: how the cost of one operation grows with size. */
export interface ProbeDef {
  /** Must match an `operation` in the manifest's `complexity` list. */
  operation: string;
  /** Defaults to 2^8 … 2^16. */
  sizes?: number[];
  workload(n: number, rng: Rng): Workload;
}

/** A latency benchmark: the candidate next to the reference solution, in the same run. */
export interface LatencyDef {
  operation: string;
  workload(rng: Rng): Workload;
  /** Timed batches per side. */
  samples?: number;
}

/** HTTP latency under a fixed load (service problems). */
export interface HttpLatencyDef {
  operation: string;
  /** Prepares data on a fresh server (e.g. creates records); returns state passed to `request`. */
  setup(ctx: TestContext): Promise<unknown>;
  request(state: unknown, i: number, rng: Rng): HttpRequest;
  /** Requests per side. */
  requests?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface Suites {
  correctness: TestDef[];
  stress?: TestDef[];
  latency?: Array<LatencyDef | HttpLatencyDef>;
  complexity?: ProbeDef[];
}

export function defineSuites(suites: Suites): Suites {
  const names = new Set<string>();
  for (const t of [...suites.correctness, ...(suites.stress ?? [])]) {
    if (names.has(t.name)) throw new Error(`duplicate test name: ${t.name}`);
    names.add(t.name);
  }
  return suites;
}

export const DEFAULT_PROBE_SIZES: readonly number[] = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

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

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(v);
  }
}

export function expect(actual: unknown, what = 'value') {
  return {
    toBe(expected: unknown): void {
      if (!Object.is(actual, expected))
        throw new AssertionFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`, expected, actual);
    },
    toEqual(expected: unknown): void {
      if (!deepEqual(actual, expected))
        throw new AssertionFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`, expected, actual);
    },
    toSatisfy(predicate: (v: unknown) => boolean, description: string): void {
      if (!predicate(actual)) throw new AssertionFailure(`${what}: expected ${description}, got ${show(actual)}`, description, actual);
    },
  };
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

/** Fails the test with a message. */
export function fail(message: string, expected?: unknown, actual?: unknown): never {
  throw new AssertionFailure(message, expected, actual);
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

/** A promise a test opens when it chooses: holds driver-owned calls until a burst has arrived. */
export interface Latch {
  promise: Promise<void>;
  open(): void;
}

export function latch(): Latch {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
export * from './random';
export * from './bundle';
