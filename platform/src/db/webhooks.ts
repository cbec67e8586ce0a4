import { randomUUID } from 'node:crypto';
import { isId, type DeliveryStatus, type WebhookEvent } from '@assay/contracts';
import type { Pool, PoolClient } from './pool';

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  description: string | null;
  events: WebhookEvent[];
  enabled: boolean;
  createdAt: Date;
}

const ENDPOINT_COLUMNS = `id, org_id AS "orgId", url, description, events, enabled, created_at AS "createdAt"`;

export async function createEndpoint(
  pool: Pool,
  e: { orgId: string; url: string; description: string | null; events: WebhookEvent[]; secretEnc: string },
): Promise<WebhookEndpoint> {
  const { rows } = await pool.query<WebhookEndpoint>(
    `INSERT INTO webhook_endpoints (id, org_id, url, description, events, secret_enc) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
    [randomUUID(), e.orgId, e.url, e.description, e.events, e.secretEnc],
  );
  return rows[0]!;
}

export async function listEndpoints(pool: Pool, orgId: string): Promise<WebhookEndpoint[]> {
  return (
    await pool.query<WebhookEndpoint>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at`, [orgId])
  ).rows;
}

export async function getEndpoint(pool: Pool, orgId: string, id: string): Promise<(WebhookEndpoint & { secretEnc: string }) | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await pool.query<WebhookEndpoint & { secretEnc: string }>(
    `SELECT ${ENDPOINT_COLUMNS}, secret_enc AS "secretEnc" FROM webhook_endpoints WHERE org_id = $1 AND id = $2`,
    [orgId, id],
  );
  return rows[0];
}

export async function deleteEndpoint(pool: Pool, orgId: string, id: string): Promise<boolean> {
  if (!isId(id)) return false;
  return ((await pool.query(`DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2`, [orgId, id])).rowCount ?? 0) > 0;
}

/**
 * Creates the deliveries of `event` for a submission — its callbackUrl and its organisation's
 * endpoints — once (a re-run inserts nothing), and returns every delivery of it still pending.
 */
export async function createDeliveries(client: PoolClient, submissionId: string, event: WebhookEvent, payload: unknown): Promise<string[]> {
  const body = JSON.stringify(payload);
  await client.query(
    `INSERT INTO webhook_deliveries (id, org_id, submission_id, endpoint_id, target, url, event_type, payload)
     SELECT gen_random_uuid(), s.org_id, s.id, NULL, 'callback', s.callback_url, $2, $3::jsonb
       FROM submissions s WHERE s.id = $1 AND s.callback_url IS NOT NULL
     UNION ALL
     SELECT gen_random_uuid(), s.org_id, s.id, e.id, e.id::text, e.url, $2, $3::jsonb
       FROM submissions s JOIN webhook_endpoints e ON e.org_id = s.org_id
      WHERE s.id = $1 AND e.enabled AND $2 = ANY(e.events)
     ON CONFLICT (submission_id, event_type, target) DO NOTHING`,
    [submissionId, event, body],
  );
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM webhook_deliveries WHERE submission_id = $1 AND status = 'pending'`, [
    submissionId,
  ]);
  return rows.map((r) => r.id);
}

export interface DeliveryToSend {
  id: string;
  url: string;
  eventType: WebhookEvent;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  submissionId: string;
  /** Sealed secret: the endpoint's, or the submission's own callback secret. */
  secretEnc: string | null;
}

export async function getDeliveryToSend(pool: Pool, id: string): Promise<DeliveryToSend | undefined> {
  const { rows } = await pool.query<DeliveryToSend>(
    `SELECT d.id, d.url, d.event_type AS "eventType", d.payload, d.status, d.attempts, d.submission_id AS "submissionId",
            coalesce(e.secret_enc, s.callback_secret) AS "secretEnc"
       FROM webhook_deliveries d JOIN submissions s ON s.id = d.submission_id LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.id = $1`,
    [id],
  );
  return rows[0];
}

export async function recordAttempt(
  pool: Pool,
  id: string,
  a: { statusCode: number | null; error: string | null; durationMs: number; outcome: DeliveryStatus },
): Promise<number> {
  // One statement: the delivery's counters and its attempt log never disagree.
  const { rows } = await pool.query<{ attempt: number }>(
    `WITH d AS (
       UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3, status = $4, updated_at = now(),
              delivered_at = CASE WHEN $4 = 'succeeded' THEN now() ELSE delivered_at END
        WHERE id = $1 RETURNING id, attempts)
     INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms)
     SELECT id, attempts, $2, $3, $5 FROM d RETURNING attempt`,
    [id, a.statusCode, a.error, a.outcome, Math.round(a.durationMs)],
  );
  return rows[0]?.attempt ?? 0;
}

export interface DeliveryAttempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

export interface DeliveryLog {
  id: string;
  submissionId: string;
  endpointId: string | null;
  url: string;
  eventType: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  replays: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  log: DeliveryAttempt[];
}

const DELIVERY_COLUMNS = `d.id, d.submission_id AS "submissionId", d.endpoint_id AS "endpointId", d.url, d.event_type AS "eventType",
  d.status, d.attempts, d.replays,
  d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.created_at AS "createdAt", d.delivered_at AS "deliveredAt",
  coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'statusCode', a.status_code, 'error', a.error,
                                              'durationMs', a.duration_ms, 'at', a.created_at) ORDER BY a.id)
     FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS log`;

export async function listDeliveries(
  pool: Pool,
  orgId: string,
  opts: { submissionId?: string; status?: string; limit: number },
): Promise<DeliveryLog[]> {
  const where = ['d.org_id = $1'];
  const args: unknown[] = [orgId];
  if (opts.submissionId) where.push(`d.submission_id = $${args.push(opts.submissionId)}`);
  if (opts.status) where.push(`d.status = $${args.push(opts.status)}`);
  const { rows } = await pool.query<DeliveryLog>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC LIMIT $${args.push(opts.limit)}`,
    args,
  );
  return rows;
}

export async function getDelivery(pool: Pool, orgId: string, id: string): Promise<DeliveryLog | undefined> {
  if (!isId(id)) return undefined;
  return (
    await pool.query<DeliveryLog>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.org_id = $1 AND d.id = $2`, [orgId, id])
  ).rows[0];
}

/** Marks a delivery for re-sending; returns it as marked (its `replays` number makes a unique job id). */
export async function markForReplay(pool: Pool, orgId: string, id: string): Promise<DeliveryLog | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await pool.query<DeliveryLog>(
    `UPDATE webhook_deliveries AS d SET status = 'pending', replays = d.replays + 1, updated_at = now()
      WHERE d.org_id = $1 AND d.id = $2 RETURNING ${DELIVERY_COLUMNS}`,
    [orgId, id],
  );
  return rows[0];
}
