import { z } from 'zod';

export const VerdictSchema = z.enum([
  'accepted',
  'partial',
  'wrong_answer',
  'compile_error',
  'runtime_error',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'internal_error',
]);
export type Verdict = z.infer<typeof VerdictSchema>;

/** Growth classes of per-operation cost against input size. */
export const ComplexityClassSchema = z.enum(['sublinear', 'linear', 'quadratic', 'cubic_or_worse', 'inconclusive']);
export type ComplexityClass = z.infer<typeof ComplexityClassSchema>;

const CLASS_RANK: Record<Exclude<ComplexityClass, 'inconclusive'>, number> = { sublinear: 0, linear: 1, quadratic: 2, cubic_or_worse: 3 };

/** >0 when `measured` grows faster than `expected`; 0 when equal or undecided. */
export function compareClasses(measured: ComplexityClass, expected: ComplexityClass): number {
  if (measured === 'inconclusive' || expected === 'inconclusive') return 0;
  return CLASS_RANK[measured] - CLASS_RANK[expected];
}

export const SuiteNameSchema = z.enum(['correctness', 'stress', 'latency', 'complexity']);
export type SuiteName = z.infer<typeof SuiteNameSchema>;

export const LanguageSchema = z.enum(['typescript', 'javascript']);
export type Language = z.infer<typeof LanguageSchema>;
