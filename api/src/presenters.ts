import type { Submission } from '@assay/platform';
import type { z } from 'zod';
import type { SubmissionSchema, SubmissionSummarySchema } from '@assay/contracts';

export function submissionLinks(id: string) {
  return { self: `/v1/submissions/${id}`, events: `/v1/submissions/${id}/events` };
}

export function presentSubmission(s: Submission, extra: { callbackSecret?: string } = {}): z.infer<typeof SubmissionSchema> {
  return {
    id: s.id,
    status: s.status,
    problemId: s.problemId,
    problemVersion: s.problemVersion,
    language: s.language,
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    links: submissionLinks(s.id),
    ...(s.result ? { result: s.result } : {}),
    ...extra,
  };
}

export function presentSummary(s: Submission): z.infer<typeof SubmissionSummarySchema> {
  const { result: _r, callbackSecret: _c, ...rest } = presentSubmission(s);
  return { ...rest, verdict: s.result?.verdict ?? null, score: s.result?.score ?? null };
}
