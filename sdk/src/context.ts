/** What a test gets to work with. The driver builds it (`testContext` in the container). */
import type { HttpClient } from './http';
import type { Rng } from './random';
import type { Subject, TypedSubject } from './remote';

/** Marks a driver-owned object that candidate code may call back into. */
export interface Exposed<T extends object> {
  readonly __exposed: T;
}

export interface TestContext extends TypedSubject {
  /** Untyped handles on the candidate's code; `construct` and `fn` are the typed way in. */
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

/** What driver-owned fakes need from a test: its seeded randomness and its sleep. */
export type FakeContext = Pick<TestContext, 'rng' | 'sleep'>;
