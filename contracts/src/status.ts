/** A submission's life: queued → running → completed (it has a result) or failed (ours, for good). */
export const SUBMISSION_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
