import type { Config } from './config';
import { resetForRegrade, type Submission } from './db/submissions';
import type { Pool } from './db/pool';
import { ensureGradingJob, type Queues } from './queues';

/**
 * Grades a failed submission again (the API's POST /v1/submissions/:id/regrade and
 * `assay submissions regrade`): stored back as queued with its attempts reset, its old job
 * replaced. If the queue is unreachable the submission stays queued and the worker's healer
 * enqueues it later. Throws `NotRegradableError` unless it is failed; undefined when unknown.
 */
export async function regradeSubmission(
  pool: Pool,
  queues: Queues,
  config: Pick<Config, 'worker'>,
  id: string,
): Promise<{ submission: Submission; enqueued: boolean } | undefined> {
  const submission = await resetForRegrade(pool, id);
  if (!submission) return undefined;
  const enqueued = await ensureGradingJob(queues, config, id).then(
    () => true,
    () => false,
  );
  return { submission, enqueued };
}
