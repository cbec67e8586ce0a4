/**
 * Live progress of a grading: each message is appended to a per-submission Redis list (so a
 * late reader replays what happened) and published on a per-submission channel. The list's
 * length is the sequence number, which lets a reader that subscribed and then replayed drop
 * duplicates. Progress is a convenience: the submission's status and result live in PostgreSQL.
 */
import type { Redis } from 'ioredis';
import type { ProgressEvent, StatusEvent } from '@assay/contracts';

export type ProgressMessage = { type: 'progress'; event: ProgressEvent } | ({ type: 'status' } & StatusEvent);

export type SequencedMessage = ProgressMessage & { seq: number };

export function progressChannel(prefix: string, submissionId: string): string {
  return `${prefix}:progress:${submissionId}`;
}
function logKey(prefix: string, submissionId: string): string {
  return `${prefix}:progress-log:${submissionId}`;
}

export async function publishProgress(
  redis: Redis,
  prefix: string,
  submissionId: string,
  msg: ProgressMessage,
  ttlS: number,
): Promise<number> {
  const seq = await redis.rpush(logKey(prefix, submissionId), JSON.stringify(msg));
  await redis
    .multi()
    .expire(logKey(prefix, submissionId), ttlS)
    .publish(progressChannel(prefix, submissionId), JSON.stringify({ ...msg, seq }))
    .exec();
  return seq;
}

export async function readProgress(redis: Redis, prefix: string, submissionId: string): Promise<SequencedMessage[]> {
  const items = await redis.lrange(logKey(prefix, submissionId), 0, -1);
  return items.map((s, i) => ({ ...(JSON.parse(s) as ProgressMessage), seq: i + 1 }));
}
