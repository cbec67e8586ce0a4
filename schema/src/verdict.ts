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

export const SuiteNameSchema = z.enum(['correctness', 'stress', 'latency', 'complexity']);
export type SuiteName = z.infer<typeof SuiteNameSchema>;

export const LanguageSchema = z.enum(['typescript', 'javascript']);
export type Language = z.infer<typeof LanguageSchema>;
