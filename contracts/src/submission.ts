import { z } from 'zod';
import { LanguageSchema } from './verdict';
import { ProblemIdSchema } from './manifest';
import { DELIVERY_STATUSES, SUBMISSION_STATUSES } from './status';
import { storable } from './text';

export const SubmissionStatusSchema = z.enum(SUBMISSION_STATUSES);
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);

/** Limits on what a candidate may send; the API, the CLI and the grader all apply them. */
export const SUBMISSION_LIMITS = {
  maxFiles: 20,
  maxFileBytes: 256 * 1024,
  maxTotalBytes: 1024 * 1024,
  maxPathLength: 128,
} as const;

/** Relative paths of plain names only: no `..`, no absolute paths, no hidden files. */
export const SubmissionPathSchema = storable(z.string())
  .min(1)
  .max(SUBMISSION_LIMITS.maxPathLength)
  .regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\.(?:ts|mts|cts|js|mjs|cjs|json)$/, {
    message:
      'must be a relative path of letters, digits, ".", "_" and "-" ending in .ts, .js, .mjs, .cjs, .mts, .cts or .json (no "..", no leading "/" or ".")',
  })
  .refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".."' });

export const SubmissionFileSchema = z.object({
  path: SubmissionPathSchema,
  content: storable(z.string().max(SUBMISSION_LIMITS.maxFileBytes, { message: `must be at most ${SUBMISSION_LIMITS.maxFileBytes} bytes` })),
});
export type SubmissionFile = z.infer<typeof SubmissionFileSchema>;

export const SubmissionFilesSchema = z
  .array(SubmissionFileSchema)
  .min(1, { message: 'at least one file is required' })
  .max(SUBMISSION_LIMITS.maxFiles, { message: `at most ${SUBMISSION_LIMITS.maxFiles} files` })
  .superRefine((files, ctx) => {
    const seen = new Set<string>();
    let total = 0;
    for (const [i, f] of files.entries()) {
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `duplicate path ${f.path}` });
      seen.add(f.path);
      total += Buffer.byteLength(f.content);
      if (Buffer.byteLength(f.content) > SUBMISSION_LIMITS.maxFileBytes)
        ctx.addIssue({ code: 'custom', path: [i, 'content'], message: `must be at most ${SUBMISSION_LIMITS.maxFileBytes} bytes` });
    }
    if (total > SUBMISSION_LIMITS.maxTotalBytes)
      ctx.addIssue({ code: 'custom', message: `files must add up to at most ${SUBMISSION_LIMITS.maxTotalBytes} bytes, got ${total}` });
  });

export const SubmissionRequestSchema = z.object({
  problemId: ProblemIdSchema,
  language: LanguageSchema,
  files: SubmissionFilesSchema,
  callbackUrl: storable(z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })).optional(),
});
export type SubmissionRequest = z.infer<typeof SubmissionRequestSchema>;
