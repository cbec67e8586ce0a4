/** Zod-free on purpose: the browser bundle imports these values, and any schema built here would pull zod in. */
/** A submission's life: queued → running → completed (it has a result) or failed (ours, for good). */
export const SUBMISSION_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** The statuses a submission ends in: its result is stored and nothing changes any more. */
export const FINISHED_STATUSES = ['completed', 'failed'] as const satisfies readonly SubmissionStatus[];
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

export function isFinished(status: SubmissionStatus): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly SubmissionStatus[]).includes(status);
}

/** A webhook delivery: pending until an attempt succeeds or the attempts run out. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
