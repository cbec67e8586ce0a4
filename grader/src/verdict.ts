/**
 * From what the driver reported and what the host saw of the container, to one verdict and a
 * score. Resource limits are always named; a wrong answer outranks a slow or racy one.
 */
import type { SuiteResult, Verdict } from '@assay/contracts';
import type { DriverReport } from '@assay/container/wire';

/** What the host observed of the container itself. */
export interface ContainerObservation {
  timedOut: boolean;
  oomKilled: boolean;
  outputExceeded: boolean;
  exitCode: number | null;
}

export interface Decision {
  verdict: Verdict;
  score: number;
  summary: string;
}

export function scoreSuites(suites: SuiteResult[]): number {
  const total = suites.reduce((sum, s) => sum + s.weight, 0);
  if (total === 0) return 0;
  const earned = suites.reduce((sum, s) => sum + (s.total === 0 ? s.weight : (s.weight * s.passed) / s.total), 0);
  return Math.round((earned / total) * 10000) / 100;
}

export function decideVerdict(report: DriverReport | undefined, container: ContainerObservation, internal?: string): Decision {
  if (internal)
    return { verdict: 'internal_error', score: 0, summary: 'the grader failed (our fault, not yours); the submission will be retried' };
  if (!report) {
    if (container.timedOut) return { verdict: 'time_limit_exceeded', score: 0, summary: 'the grading ran past its wall-clock limit' };
    if (container.oomKilled) return { verdict: 'memory_limit_exceeded', score: 0, summary: 'the sandbox ran out of memory' };
    return {
      verdict: 'internal_error',
      score: 0,
      summary: `the grader produced no result (exit code ${container.exitCode ?? 'none'}); the submission will be retried`,
    };
  }
  const fault = (kind: string) => report.faults.find((f) => f.kind === kind);
  const compile = fault('compile');
  if (compile) return { verdict: 'compile_error', score: 0, summary: describeDiagnostics(report) };
  const load = fault('load');
  if (load) return { verdict: 'runtime_error', score: 0, summary: load.message };

  const score = scoreSuites(report.suites);
  const memory = fault('memory');
  if (memory || container.oomKilled)
    return { verdict: 'memory_limit_exceeded', score, summary: memory?.message ?? 'the sandbox ran out of memory' };
  const output = fault('output');
  if (output) return { verdict: 'output_limit_exceeded', score, summary: output.message };
  const timeout = fault('timeout');
  if (timeout || container.timedOut)
    return { verdict: 'time_limit_exceeded', score, summary: timeout?.message ?? 'the grading ran past its wall-clock limit' };

  const correctness = report.suites.find((s) => s.name === 'correctness');
  const failing = correctness?.tests.filter((t) => t.status !== 'passed') ?? [];
  if (failing.length > 0) {
    const crash = fault('crash');
    const onlyErrors = failing.every((t) => t.status === 'error');
    const failed = `${failing.length} of ${correctness!.total} correctness tests failed`;
    if (crash) return { verdict: 'runtime_error', score, summary: `${crash.message}; ${failed}` };
    if (onlyErrors) return { verdict: 'runtime_error', score, summary: `candidate code threw; ${failed}` };
    return { verdict: 'wrong_answer', score, summary: failed };
  }
  if (score >= 100) return { verdict: 'accepted', score: 100, summary: 'every suite passed' };
  const short = report.suites.filter((s) => s.passed < s.total).map((s) => `${s.name} ${s.passed}/${s.total}`);
  return { verdict: 'partial', score, summary: `correct, but not every suite passed: ${short.join(', ')}` };
}

function describeDiagnostics(report: DriverReport): string {
  const first = report.compile.diagnostics[0];
  if (!first) return 'the code does not compile';
  const where = first.file ? `${first.file}:${first.line}:${first.column}: ` : '';
  return `the code does not compile: ${where}${first.message}`;
}
