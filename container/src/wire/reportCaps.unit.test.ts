/** Whatever the driver collected, the report it sends is plain JSON that fits its frame. */
import { describe, expect, it } from 'vitest';
import type { TestResult } from '@assay/contracts';
import { DriverReportSchema, type DriverReport } from './payload';
import { capReport, REPORT_CAPS } from './reportCaps';

const huge = 'h'.repeat(20 * 1024 * 1024);

function report(over: Partial<DriverReport> = {}): DriverReport {
  return {
    compile: { ok: true, diagnostics: [] },
    suites: [],
    latency: [],
    complexity: [],
    faults: [],
    output: { stdout: '', stderr: '', truncated: false },
    cpuMs: 1,
    peakMemoryBytes: 2,
    ...over,
  };
}

const bytes = (r: DriverReport) => Buffer.byteLength(JSON.stringify(r));

describe('capReport', () => {
  it('keeps an ordinary report as it is', () => {
    const test: TestResult = { name: 't', status: 'failed', durationMs: 1, sample: true, message: 'm', expected: [1], actual: { a: 2 } };
    const r = report({ suites: [{ name: 'correctness', weight: 100, passed: 0, total: 1, tests: [test] }] });
    expect(capReport(r)).toEqual(r);
  });

  it('caps every string the candidate can fill', () => {
    const capped = capReport(
      report({
        compile: { ok: false, diagnostics: Array.from({ length: 10_000 }, () => ({ file: huge, line: 1, column: 1, message: huge })) },
        faults: Array.from({ length: 1000 }, () => ({ kind: 'load' as const, message: huge })),
        output: { stdout: huge, stderr: huge, truncated: true },
        suites: [
          {
            name: 'correctness',
            weight: 100,
            passed: 0,
            total: 1,
            tests: [{ name: huge, status: 'error', durationMs: 1, sample: true, message: huge, expected: huge, actual: [huge] }],
          },
        ],
      }),
    );
    expect(bytes(capped)).toBeLessThan(REPORT_CAPS.bytes);
    expect(capped.compile.diagnostics).toHaveLength(REPORT_CAPS.diagnostics);
    expect(capped.faults).toHaveLength(REPORT_CAPS.faults);
    expect(DriverReportSchema.safeParse(capped).success).toBe(true);
  });

  it('live values, bigints and cycles become plain JSON (the report can always be written)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const test = { name: 't', status: 'failed', durationMs: 1, sample: true, expected: 10n, actual: cyclic } as TestResult;
    const capped = capReport(report({ suites: [{ name: 'correctness', weight: 100, passed: 0, total: 1, tests: [test] }] }));
    expect(JSON.parse(JSON.stringify(capped)).suites[0].tests[0]).toMatchObject({ expected: '10n', actual: { self: '[circular]' } });
  });

  it('hidden tests never carry values, whatever they were given', () => {
    const test: TestResult = {
      name: 't',
      status: 'failed',
      durationMs: 1,
      sample: false,
      message: 'wrong answer',
      expected: 'secret',
      actual: 'secret',
    };
    const capped = capReport(report({ suites: [{ name: 'correctness', weight: 100, passed: 0, total: 1, tests: [test] }] }));
    expect(JSON.stringify(capped)).not.toContain('secret');
  });

  it('non-finite numbers become finite ones the schema accepts', () => {
    const capped = capReport(
      report({
        cpuMs: NaN,
        latency: [
          {
            operation: 'get',
            unit: 'us',
            candidate: { p50: Infinity, p95: 1, p99: 1 },
            reference: { p50: 0, p95: 0, p99: 0 },
            ratio: Infinity,
            allowedRatio: 3,
            passed: false,
          },
        ],
      }),
    );
    expect(DriverReportSchema.safeParse(JSON.parse(JSON.stringify(capped))).success).toBe(true);
    expect(capped.latency[0]!.ratio).toBe(Number.MAX_VALUE);
  });

  it('too many large tests: details go first, counts stay', () => {
    const tests: TestResult[] = Array.from({ length: 5000 }, (_, i) => ({
      name: `${i}${'n'.repeat(300)}`,
      status: 'failed',
      durationMs: 1,
      sample: true,
      message: 'm'.repeat(5000),
      expected: 'e'.repeat(5000),
      actual: 'a'.repeat(5000),
    }));
    const suites = Array.from({ length: 4 }, () => ({ name: 'correctness' as const, weight: 25, passed: 0, total: 5000, tests }));
    const capped = capReport(report({ suites }));
    expect(bytes(capped)).toBeLessThanOrEqual(REPORT_CAPS.bytes);
    expect(capped.suites.map((s) => [s.passed, s.total])).toEqual(suites.map(() => [0, 5000]));
    expect(DriverReportSchema.safeParse(capped).success).toBe(true);
  });
});
