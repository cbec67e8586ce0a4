import { isId, type FinishedStatus, type Language, type Result, type SubmissionFile, type SubmissionStatus } from '@assay/contracts';
import { inTransaction, type Pool, type PoolClient } from './pool';

export interface Submission {
  id: string;
  orgId: string | null;
  problemId: string;
  problemVersion: string;
  language: Language;
  files: SubmissionFile[];
  callbackUrl: string | null;
  /** Encrypted (see secrets.ts). */
  callbackSecret: string | null;
  status: SubmissionStatus;
  requestHash: string;
  attempts: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: Result | null;
}

const COLUMNS = `s.id, s.org_id AS "orgId", s.problem_id AS "problemId", s.problem_version AS "problemVersion", s.language,
  s.files, s.callback_url AS "callbackUrl", s.callback_secret AS "callbackSecret", s.status, s.request_hash AS "requestHash",
  s.attempts, s.error, s.created_at AS "createdAt", s.started_at AS "startedAt", s.finished_at AS "finishedAt"`;

export interface NewSubmission {
  id: string;
  orgId: string | null;
  apiKeyId: string | null;
  problemId: string;
  problemVersion: string;
  language: Language;
  files: SubmissionFile[];
  callbackUrl: string | null;
  callbackSecret: string | null;
  idempotencyScope: string | null;
  idempotencyKey: string | null;
  requestHash: string;
  clientAddress: string | null;
}

/** Inserts, or with an idempotency key already used in that scope returns the earlier submission. */
export async function insertSubmission(pool: Pool, s: NewSubmission): Promise<{ created: boolean; submission: Submission }> {
  const { rows } = await pool.query<Submission>(
    `INSERT INTO submissions AS s (id, org_id, api_key_id, problem_id, problem_version, language, files, callback_url, callback_secret,
       idempotency_scope, idempotency_key, request_hash, client_address)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING RETURNING ${COLUMNS}, NULL::jsonb AS result`,
    [
      s.id,
      s.orgId,
      s.apiKeyId,
      s.problemId,
      s.problemVersion,
      s.language,
      JSON.stringify(s.files),
      s.callbackUrl,
      s.callbackSecret,
      s.idempotencyScope,
      s.idempotencyKey,
      s.requestHash,
      s.clientAddress,
    ],
  );
  if (rows[0]) return { created: true, submission: rows[0] };
  const existing = await pool.query<Submission>(
    `SELECT ${COLUMNS}, r.result FROM submissions s LEFT JOIN results r ON r.submission_id = s.id
      WHERE s.idempotency_scope = $1 AND s.idempotency_key = $2`,
    [s.idempotencyScope, s.idempotencyKey],
  );
  return { created: false, submission: existing.rows[0]! };
}

export async function getSubmission(db: Pool | PoolClient, id: string): Promise<Submission | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await db.query<Submission>(
    `SELECT ${COLUMNS}, r.result FROM submissions s LEFT JOIN results r ON r.submission_id = s.id WHERE s.id = $1`,
    [id],
  );
  return rows[0];
}

export async function deleteSubmission(pool: Pool, id: string): Promise<void> {
  await pool.query(`DELETE FROM submissions WHERE id = $1`, [id]);
}

export interface SubmissionPage {
  items: Submission[];
  nextCursor: string | null;
}

export function encodeCursor(s: Pick<Submission, 'createdAt' | 'id'>): string {
  return Buffer.from(`${s.createdAt.toISOString()}|${s.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Only the exact form encodeCursor writes: PostgreSQL parses dates differently from Date.parse.
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || new Date(createdAt).toISOString() !== createdAt || !isId(id))
    return undefined;
  return { createdAt, id };
}

/** The organisation's submissions, newest first, keyset-paginated. */
export async function listSubmissions(
  pool: Pool,
  orgId: string,
  opts: { problemId?: string; status?: SubmissionStatus; limit: number; cursor?: { createdAt: string; id: string } },
): Promise<SubmissionPage> {
  const where = ['s.org_id = $1'];
  const args: unknown[] = [orgId];
  if (opts.problemId) where.push(`s.problem_id = $${args.push(opts.problemId)}`);
  if (opts.status) where.push(`s.status = $${args.push(opts.status)}`);
  if (opts.cursor)
    where.push(`(s.created_at, s.id) < ($${args.push(opts.cursor.createdAt)}::timestamptz, $${args.push(opts.cursor.id)}::uuid)`);
  const { rows } = await pool.query<Submission>(
    `SELECT ${COLUMNS}, r.result FROM submissions s LEFT JOIN results r ON r.submission_id = s.id
     WHERE ${where.join(' AND ')} ORDER BY s.created_at DESC, s.id DESC LIMIT $${args.push(opts.limit + 1)}`,
    args,
  );
  const items = rows.slice(0, opts.limit);
  return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!) : null };
}

/** queued → running (a re-delivered job finds it running already). Undefined once finished. */
export async function markRunning(pool: Pool, id: string): Promise<Submission | undefined> {
  const { rows } = await pool.query<Submission>(
    `UPDATE submissions AS s SET status = 'running', started_at = coalesce(s.started_at, now()), attempts = s.attempts + 1
      WHERE s.id = $1 AND s.status IN ('queued', 'running')
     RETURNING ${COLUMNS}, (SELECT r.result FROM results r WHERE r.submission_id = s.id) AS result`,
    [id],
  );
  return rows[0];
}

/** Back to queued while a retry waits (after an internal error). */
export async function markRetrying(pool: Pool, id: string, error: string): Promise<void> {
  await pool.query(`UPDATE submissions SET status = 'queued', error = $2 WHERE id = $1 AND status = 'running'`, [id, error]);
}

/**
 * Back to queued after an infrastructure failure (engine or a service away): the attempt counted
 * by `markRunning` is given back, since nothing of the submission's ran to an end.
 */
export async function markRequeued(pool: Pool, id: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE submissions SET status = 'queued', attempts = greatest(attempts - 1, 0), error = $2 WHERE id = $1 AND status = 'running'`,
    [id, reason],
  );
}

/**
 * A failed submission back to queued for a new grading: its stored failure is removed (the
 * result is written once per grading). Undefined when there is no such submission; throws
 * `NotRegradableError` when it is not failed.
 */
export async function resetForRegrade(pool: Pool, id: string): Promise<Submission | undefined> {
  if (!isId(id)) return undefined;
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ status: SubmissionStatus }>(`SELECT status FROM submissions WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0]) return undefined;
    if (rows[0].status !== 'failed') throw new NotRegradableError(rows[0].status);
    await client.query(`DELETE FROM results WHERE submission_id = $1`, [id]);
    await client.query(
      `UPDATE submissions SET status = 'queued', attempts = 0, error = NULL, started_at = NULL, finished_at = NULL WHERE id = $1`,
      [id],
    );
    return getSubmission(client, id);
  });
}

/** Only a failed submission is graded again: a completed one has its verdict, a queued or running one is on its way. */
export class NotRegradableError extends Error {
  override readonly name = 'NotRegradableError';
  constructor(readonly status: SubmissionStatus) {
    super(`the submission is ${status}; only a failed submission can be graded again`);
  }
}

/**
 * Writes the result once (a re-delivered job's insert does nothing) and the final status, and
 * returns what is stored: `wrote` is false when another delivery of the job had already finished
 * it, and then its status and result are the ones kept.
 */
export async function finishSubmission(
  client: PoolClient,
  id: string,
  status: FinishedStatus,
  result: Result,
  gradingMs: number | null,
  error: string | null,
): Promise<{ wrote: boolean; status: SubmissionStatus; result: Result }> {
  const ins = await client.query<{ result: Result }>(
    `INSERT INTO results (submission_id, verdict, score, result, grading_ms) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (submission_id) DO NOTHING RETURNING result`,
    [id, result.verdict, result.score, JSON.stringify(result), gradingMs],
  );
  const upd = await client.query<{ status: SubmissionStatus }>(
    `UPDATE submissions SET status = $2, finished_at = coalesce(finished_at, now()), error = $3
      WHERE id = $1 AND status IN ('queued', 'running') RETURNING status`,
    [id, status, error],
  );
  const wrote = ins.rows.length > 0;
  if (ins.rows[0] && upd.rows[0]) return { wrote, status: upd.rows[0].status, result: ins.rows[0].result };
  // Finished by another delivery: read what it stored (a statement of its own, so it sees that delivery's commit).
  const stored = (await getSubmission(client, id))!;
  return { wrote, status: stored.status, result: stored.result! };
}

/** Submissions left queued or running for a while: their job may be lost (e.g. Redis lost it); re-enqueue them. */
export async function strandedSubmissions(pool: Pool, olderThanS: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM submissions WHERE status IN ('queued', 'running') AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 1000`,
    [olderThanS],
  );
  return rows.map((r) => r.id);
}

/** Counts submissions per status (for metrics). */
export async function countSubmissionsByStatus(pool: Pool): Promise<Record<SubmissionStatus, number>> {
  const { rows } = await pool.query<{ status: SubmissionStatus; n: string }>(
    `SELECT status, count(*) AS n FROM submissions GROUP BY status`,
  );
  const out: Record<SubmissionStatus, number> = { queued: 0, running: 0, completed: 0, failed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
