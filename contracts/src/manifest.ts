import { z } from 'zod';
import { ComplexityClassSchema, LanguageSchema, VerdictSchema, type Language } from './verdict';

/** Problem ids: lower-case words joined by dashes (`lru-cache`); also the package's folder name. */
export const PROBLEM_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const ProblemIdSchema = z.string().regex(PROBLEM_ID_PATTERN, 'must be a problem id like "lru-cache"');

export const DifficultySchema = z.enum(['easy', 'medium', 'hard']);
export const ProblemKindSchema = z.enum(['module', 'service']);

const SuiteWeightSchema = z.object({ weight: z.number().min(0).max(100) }).strict();

/** Where known-verdict submissions live: `submissions/<verdict>/<file>`, as in Kattis packages. */
export const KNOWN_SUBMISSION_PATH = /^submissions\/([a-z_]+)\/[A-Za-z0-9._-]+\.(ts|js|mjs|cjs)$/;

/** What a submission's folder cannot say: the class each probed operation of a slow one must measure. */
const KnownSubmissionNoteSchema = z.object({ complexity: z.record(z.string(), ComplexityClassSchema) }).strict();

/** A known-verdict submission the validator grades: its verdict comes from its folder. */
export const KnownSubmissionSchema = z.object({
  path: z.string().regex(KNOWN_SUBMISSION_PATH),
  language: LanguageSchema,
  verdict: VerdictSchema.exclude(['internal_error']),
  complexity: z.record(z.string(), ComplexityClassSchema).optional(),
});
export type KnownSubmission = z.infer<typeof KnownSubmissionSchema>;

/** The language a known submission or starter file is written in, from its extension. */
export function languageOfPath(path: string): Language | undefined {
  if (/\.(ts|mts|cts)$/.test(path)) return 'typescript';
  if (/\.(js|mjs|cjs)$/.test(path)) return 'javascript';
  return undefined;
}

export const ManifestSchema = z
  .object({
    id: z.string().regex(PROBLEM_ID_PATTERN, 'lower-case words joined by dashes'),
    title: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version like 1.0.0'),
    difficulty: DifficultySchema,
    tags: z.array(z.string().min(1)).min(1),
    estimatedMinutes: z.number().int().positive(),
    kind: ProblemKindSchema,
    languages: z.array(LanguageSchema).min(1),
    /** Name of the file the candidate submits, per language (e.g. solution.ts). */
    entry: z.record(LanguageSchema, z.string().regex(/^[A-Za-z0-9._-]+$/)),
    /** Service problems: npm packages the candidate may import (bundled into the runner image). */
    allowedPackages: z.array(z.string()).default([]),
    limits: z
      .object({
        wallMs: z.number().int().positive().max(600_000),
        memoryMb: z.number().int().min(64).max(4096),
        outputBytes: z
          .number()
          .int()
          .positive()
          .max(16 * 1024 * 1024),
        testTimeoutMs: z.number().int().positive().max(60_000),
      })
      .strict(),
    suites: z
      .object({
        correctness: SuiteWeightSchema,
        stress: SuiteWeightSchema.optional(),
        latency: SuiteWeightSchema.extend({ allowedRatio: z.number().min(1) })
          .strict()
          .optional(),
        complexity: SuiteWeightSchema.optional(),
      })
      .strict(),
    /** The class each probed operation must fall in. */
    complexity: z
      .array(
        z
          .object({
            operation: z.string().min(1),
            expected: ComplexityClassSchema.exclude(['inconclusive']),
            /** Appended to the hint when the measured class is worse, e.g. "A Map plus a linked list keeps it O(1)." */
            advice: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    reference: z.object({ language: LanguageSchema, path: z.string().regex(/^reference\//) }).strict(),
    /** Keyed by path under the package (`submissions/partial/array-indexof.ts`). */
    submissions: z
      .record(z.string().regex(KNOWN_SUBMISSION_PATH, 'must be a file under submissions/<verdict>/'), KnownSubmissionNoteSchema)
      .default({}),
  })
  .strict()
  .superRefine((m, ctx) => {
    const total = Object.values(m.suites).reduce((sum, s) => sum + (s?.weight ?? 0), 0);
    if (Math.abs(total - 100) > 1e-9)
      ctx.addIssue({ code: 'custom', path: ['suites'], message: `suite weights must add up to 100, got ${total}` });
    for (const lang of m.languages)
      if (!m.entry[lang]) ctx.addIssue({ code: 'custom', path: ['entry', lang], message: `no entry file for ${lang}` });
  });
export type Manifest = z.infer<typeof ManifestSchema>;
