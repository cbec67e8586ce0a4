import { z } from 'zod';
import { ComplexityClassSchema, LanguageSchema, SuiteNameSchema, VerdictSchema } from './verdict';

export const RESULT_SCHEMA_VERSION = 1 as const;

export const TestStatusSchema = z.enum(['passed', 'failed', 'error', 'timeout', 'skipped']);
export type TestStatus = z.infer<typeof TestStatusSchema>;

export const TestResultSchema = z.object({
  name: z.string(),
  status: TestStatusSchema,
  durationMs: z.number().min(0),
  /** Sample tests only: hidden tests report status and name, nothing about their data. */
  sample: z.boolean(),
  message: z.string().optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
});
export type TestResult = z.infer<typeof TestResultSchema>;

export const SuiteResultSchema = z.object({
  name: SuiteNameSchema,
  weight: z.number(),
  passed: z.number().int().min(0),
  total: z.number().int().min(0),
  tests: z.array(TestResultSchema),
});
export type SuiteResult = z.infer<typeof SuiteResultSchema>;

const PercentilesSchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number() });
export const LatencyResultSchema = z.object({
  operation: z.string(),
  unit: z.enum(['us', 'ms']),
  candidate: PercentilesSchema,
  reference: PercentilesSchema,
  /** candidate p50 / reference p50 */
  ratio: z.number(),
  allowedRatio: z.number(),
  passed: z.boolean(),
  /** Why the benchmark could not measure the candidate, when it could not. */
  error: z.string().optional(),
});
export type LatencyResult = z.infer<typeof LatencyResultSchema>;

export const StaticHintSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  pattern: z.string(),
  message: z.string(),
  /** `potential` until a measurement agrees, then `confirmed`. */
  status: z.enum(['potential', 'confirmed']),
});
export type StaticHint = z.infer<typeof StaticHintSchema>;

export const ComplexityResultSchema = z.object({
  operation: z.string(),
  sizes: z.array(z.number()),
  /** Minimum nanoseconds per operation at each size. */
  nsPerOp: z.array(z.number()),
  exponent: z.number(),
  interval: z.tuple([z.number(), z.number()]),
  class: ComplexityClassSchema,
  /** The interval lies inside `class` and both trials agreed: only then can it fail the probe.
   *  `class` is `inconclusive` only when too few sizes could be measured. */
  confident: z.boolean(),
  expected: ComplexityClassSchema,
  hint: z.string().optional(),
});
export type ComplexityResult = z.infer<typeof ComplexityResultSchema>;

export const DiagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const ResultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  verdict: VerdictSchema,
  score: z.number().min(0).max(100),
  /** One sentence saying why this verdict (e.g. which limit was hit). */
  summary: z.string(),
  problem: z.object({ id: z.string(), version: z.string() }),
  language: LanguageSchema,
  suites: z.array(SuiteResultSchema),
  latency: z.array(LatencyResultSchema),
  complexity: z.array(ComplexityResultSchema),
  staticHints: z.array(StaticHintSchema),
  compile: z.object({ ok: z.boolean(), diagnostics: z.array(DiagnosticSchema) }),
  resources: z.object({ cpuMs: z.number(), peakMemoryBytes: z.number(), wallMs: z.number() }),
  /** Candidate output captured while sample tests ran, capped. */
  output: z.object({ stdout: z.string(), stderr: z.string(), truncated: z.boolean() }),
  timings: z.object({ queuedAt: z.string().optional(), startedAt: z.string(), finishedAt: z.string() }),
  graderVersion: z.string(),
});
export type Result = z.infer<typeof ResultSchema>;
