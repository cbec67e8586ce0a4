/**
 * Caps on everything a driver report can hold, so the report always fits in its frame (the
 * host kills a container that prints more than its frame budget, which would lose the verdict).
 * `capReport` copies the report field by field: every string and list is capped, every value is
 * a plain JSON snapshot and every number finite. If the copy is still too large, details go
 * first (expected/actual, then messages, then the longest test lists), never the counts.
 */
import type { ComplexityResult, Diagnostic, LatencyResult, SuiteResult, TestResult } from '@assay/contracts';
import type { DriverReport, SubjectFault } from './payload';
import { toResultValue } from './resultValue';

export const REPORT_CAPS = {
  /** UTF-8 bytes of the whole report as JSON (the host's frame budget is 16 MiB). */
  bytes: 8 * 1024 * 1024,
  name: 200,
  message: 2000,
  suites: 16,
  testsPerSuite: 2000,
  diagnostics: 50,
  faults: 50,
  latency: 100,
  complexity: 100,
  sizes: 64,
  /** Characters of captured stdout and of stderr. */
  output: 32 * 1024,
} as const;

const text = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max)}…` : s);
/** JSON has no NaN or Infinity, and the host's schema wants numbers. */
const finite = (n: number): number => (Number.isFinite(n) ? n : Number.isNaN(n) ? 0 : Math.sign(n) * Number.MAX_VALUE);

export function capReport(report: DriverReport): DriverReport {
  let capped = copyReport(report, REPORT_CAPS.message, REPORT_CAPS.testsPerSuite, true);
  if (fits(capped)) return capped;
  capped = copyReport(report, REPORT_CAPS.message, REPORT_CAPS.testsPerSuite, false);
  if (fits(capped)) return capped;
  capped = copyReport(report, 100, 200, false);
  return fits(capped) ? capped : copyReport(report, 0, 0, false);
}

function fits(report: DriverReport): boolean {
  return Buffer.byteLength(JSON.stringify(report)) <= REPORT_CAPS.bytes;
}

function copyReport(r: DriverReport, messageChars: number, testsPerSuite: number, values: boolean): DriverReport {
  const c = REPORT_CAPS;
  return {
    compile: { ok: r.compile.ok, diagnostics: r.compile.diagnostics.slice(0, c.diagnostics).map(copyDiagnostic) },
    suites: r.suites.slice(0, c.suites).map((s) => copySuite(s, messageChars, testsPerSuite, values)),
    latency: r.latency.slice(0, c.latency).map(copyLatency),
    complexity: r.complexity.slice(0, c.complexity).map(copyComplexity),
    faults: r.faults.slice(0, c.faults).map((f): SubjectFault => ({ kind: f.kind, message: text(f.message, c.message) })),
    output: { stdout: text(r.output.stdout, c.output), stderr: text(r.output.stderr, c.output), truncated: r.output.truncated },
    cpuMs: finite(r.cpuMs),
    peakMemoryBytes: finite(r.peakMemoryBytes),
  };
}

function copyDiagnostic(d: Diagnostic): Diagnostic {
  return { file: text(d.file, REPORT_CAPS.name), line: d.line, column: d.column, message: text(d.message, REPORT_CAPS.message) };
}

function copySuite(s: SuiteResult, messageChars: number, testsPerSuite: number, values: boolean): SuiteResult {
  return {
    name: s.name,
    weight: finite(s.weight),
    passed: s.passed,
    total: s.total,
    tests: s.tests.slice(0, testsPerSuite).map((t) => copyTest(t, messageChars, values)),
  };
}

function copyTest(t: TestResult, messageChars: number, values: boolean): TestResult {
  const out: TestResult = {
    name: text(t.name, REPORT_CAPS.name),
    status: t.status,
    durationMs: Math.max(0, finite(t.durationMs)),
    sample: t.sample,
  };
  if (t.message !== undefined && messageChars > 0) out.message = text(t.message, messageChars);
  if (values && t.sample) {
    const expected = toResultValue(t.expected);
    const actual = toResultValue(t.actual);
    if (expected !== undefined) out.expected = expected;
    if (actual !== undefined) out.actual = actual;
  }
  return out;
}

function copyLatency(l: LatencyResult): LatencyResult {
  const p = (x: LatencyResult['candidate']) => ({ p50: finite(x.p50), p95: finite(x.p95), p99: finite(x.p99) });
  return {
    operation: text(l.operation, REPORT_CAPS.name),
    unit: l.unit,
    candidate: p(l.candidate),
    reference: p(l.reference),
    ratio: finite(l.ratio),
    allowedRatio: finite(l.allowedRatio),
    passed: l.passed,
    ...(l.error !== undefined ? { error: text(l.error, REPORT_CAPS.message) } : {}),
  };
}

function copyComplexity(x: ComplexityResult): ComplexityResult {
  const list = (ns: number[]) => ns.slice(0, REPORT_CAPS.sizes).map(finite);
  return {
    operation: text(x.operation, REPORT_CAPS.name),
    sizes: list(x.sizes),
    nsPerOp: list(x.nsPerOp),
    exponent: finite(x.exponent),
    interval: [finite(x.interval[0]), finite(x.interval[1])],
    class: x.class,
    confident: x.confident,
    expected: x.expected,
    ...(x.hint !== undefined ? { hint: text(x.hint, REPORT_CAPS.message) } : {}),
  };
}
