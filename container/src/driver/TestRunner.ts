/**
 * Runs correctness and stress tests against the candidate's session, one at a time, each with
 * its own seeded randomness and timeout. Hidden tests report their name and status only: no
 * message, value or candidate text that could carry their data back out.
 */
import {
  type Exposed,
  type HttpClient,
  type Rng,
  type Subject,
  type TestContext,
  type TestDef,
  fnv1a,
  mulberry32,
  rngFrom,
  typedSubject,
} from '@assay/sdk';
import type { SuiteName, SuiteResult, TestResult } from '@assay/contracts';
import { safeText } from '../wire/codec';
import { toResultValue } from '../wire/resultValue';
import type { Session } from './Session';
import { memoryLimitHit } from './cgroup';
import { SubjectGoneError } from './SubjectProcess';

export function seededRng(seed: number, ...parts: string[]): Rng {
  return rngFrom(mulberry32(fnv1a(parts.join('\u0000'), seed)));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const notAService: HttpClient = {
  baseUrl: '',
  request: () => Promise.reject(new Error('this problem has no HTTP server: use ctx.subject')),
};

/** What a test (or a benchmark's setup) gets to work with. */
export function testContext(subject: Subject, http: HttpClient | undefined, rng: Rng): TestContext {
  return {
    subject,
    ...typedSubject(subject),
    http: http ?? notAService,
    rng,
    expose: <T extends object>(target: T) => ({ __exposed: target }) as Exposed<T>,
    sleep,
  };
}

/** Error names a hidden test may report: a free-form name could smuggle the test's data out. */
const KNOWN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

export interface RunLimits {
  testTimeoutMs: number;
  /** Absolute time (performance.now()) after which remaining tests are not started. */
  deadline: number;
  /** Stop starting tests after this many timeouts (a busy loop would otherwise cost each test its timeout). */
  maxTimeouts: number;
}

type Outcome = { kind: 'passed' } | { kind: 'threw'; error: unknown } | { kind: 'timeout' };

export class TestRunner {
  /**
   * Once candidate code has seen a hidden test's data it could replay it in a later sample
   * test's output or return value; from then on every test is reported like a hidden one.
   */
  private hiddenSeen = false;
  /** The suite being run and the results it has so far. */
  private running: { name: SuiteName; weight: number; ordered: TestDef[]; results: TestResult[] } | undefined;

  constructor(
    private readonly session: Session,
    private readonly seed: number,
    private readonly limits: RunLimits,
    private readonly http: HttpClient | undefined,
  ) {}

  /** Why no further test may start, if so. */
  stopReason(): string | undefined {
    if (performance.now() > this.limits.deadline) return "not run: the grading's time limit was reached";
    if (this.session.count('timeout') >= this.limits.maxTimeouts) return 'not run: earlier tests timed out';
    if (this.session.count('memory') > 0) return 'not run: the memory limit was hit';
    if (this.session.count('output') > 0) return 'not run: the output limit was hit';
    if (this.session.count('crash') >= 3) return 'not run: the candidate process kept crashing';
    return undefined;
  }

  async runSuite(name: SuiteName, weight: number, tests: TestDef[], onTest: (done: number, total: number) => void): Promise<SuiteResult> {
    const results: TestResult[] = [];
    // Samples first: they are shown in full only while no hidden data has reached the candidate.
    const ordered = [...tests.filter((t) => t.sample), ...tests.filter((t) => !t.sample)];
    this.running = { name, weight, ordered, results };
    for (const test of ordered) {
      results.push(await this.runTest(name, test));
      onTest(results.length, tests.length);
    }
    this.running = undefined;
    return suiteOf(name, weight, results);
  }

  /**
   * The suite being run, if any, when time ran out: its results so far, the test running then as
   * timed out, the ones not reached as skipped.
   */
  suiteSoFar(): SuiteResult | undefined {
    const r = this.running;
    if (!r) return undefined;
    const rest = r.ordered.slice(r.results.length).map((t, i): TestResult => ({
      name: t.name,
      sample: false,
      ...(i === 0
        ? { status: 'timeout', message: "stopped: the grading's time limit was reached" }
        : { status: 'skipped', message: "not run: the grading's time limit was reached" }),
      durationMs: 0,
    }));
    return suiteOf(r.name, r.weight, [...r.results, ...rest]);
  }

  private async runTest(suite: SuiteName, test: TestDef): Promise<TestResult> {
    const shown = test.sample && !this.hiddenSeen;
    const base = { name: test.name, sample: shown };
    const stop = this.stopReason();
    if (stop) return { ...base, status: 'skipped', durationMs: 0, message: stop };
    let subject;
    try {
      subject = await this.session.subject();
    } catch (e) {
      return { ...base, status: 'error', durationMs: 0, message: `the candidate process could not be restarted: ${(e as Error).message}` };
    }
    this.session.output.capturing = shown;
    if (!shown) this.hiddenSeen = true;
    const ctx = testContext(subject, this.http, seededRng(this.seed, suite, test.name));
    const timeoutMs = test.timeoutMs ?? this.limits.testTimeoutMs;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race<Outcome>([
      test.run(ctx).then(
        () => ({ kind: 'passed' }),
        (error: unknown) => ({ kind: 'threw', error }),
      ),
      new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs))),
    ]);
    clearTimeout(timer);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    if (shown) await this.session.output.settled();
    this.session.output.capturing = false;
    subject.forgetDriverObjects();
    if (outcome.kind === 'passed') return { ...base, status: 'passed', durationMs };
    if (outcome.kind === 'timeout') {
      if (memoryLimitHit()) {
        await this.session.recycle({ kind: 'memory', message: 'hit the memory limit' });
        return { ...base, status: 'error', durationMs, message: 'hit the memory limit' };
      }
      await this.session.recycle({ kind: 'timeout', message: `a test ran longer than ${timeoutMs} ms` });
      return { ...base, status: 'timeout', durationMs, message: `timed out after ${timeoutMs} ms` };
    }
    return { ...base, durationMs, ...describeFailure(outcome.error, shown) };
  }
}

function suiteOf(name: SuiteName, weight: number, tests: TestResult[]): SuiteResult {
  return { name, weight, passed: tests.filter((r) => r.status === 'passed').length, total: tests.length, tests };
}

/** Characters of a sample test's message: the report must always fit its frame. */
const MESSAGE_CHARS = 2000;

/**
 * What a failure says. Never throws, and holds no live value: expected and actual are copied
 * as plain JSON now (`toResultValue`), whatever the test was holding.
 */
function describeFailure(error: unknown, sample: boolean): Pick<TestResult, 'status' | 'message' | 'expected' | 'actual'> {
  if (error instanceof SubjectGoneError) return { status: 'error', message: error.fault.message };
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  if (e.remote === true) {
    const name = safeText(e.remoteName, 100);
    if (sample) return { status: 'error', message: `candidate code threw ${name}: ${safeText(e.message, 500)}` };
    return { status: 'error', message: `candidate code threw ${KNOWN_ERRORS.has(name) ? `a ${name}` : 'an error'}` };
  }
  if (e.name === 'AssertionFailure') {
    if (!sample) return { status: 'failed', message: 'wrong answer' };
    const values = { expected: toResultValue(e.expected), actual: toResultValue(e.actual) };
    return { status: 'failed', message: safeText(e.message, MESSAGE_CHARS), ...definedOnly(values) };
  }
  // The test itself broke on a value it did not expect from the candidate.
  return { status: 'failed', message: sample ? `unexpected result: ${safeText(e.message ?? error, 500)}` : 'wrong answer' };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
