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
  updatedAt: Date;
  /** First failed attempt since the last success; null while it succeeds. */
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  /** Until then the previous secret signs too (rotation's grace period). */
  previousSecretExpiresAt: Date | null;
}

export interface EndpointHistoryEntry {
  action: 'created' | 'updated' | 'disabled' | 'enabled' | 'secret_rotated' | 'auto_disabled' | 'deleted';
  detail: string | null;
  at: Date;
}

const ENDPOINT_COLUMNS = `id, org_id AS "orgId", url, description, events, enabled, created_at AS "createdAt", updated_at AS "updatedAt",
  failing_since AS "failingSince", disabled_at AS "disabledAt", disabled_reason AS "disabledReason",
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS "previousSecretExpiresAt"`;

/** Appends to an endpoint's history in the same statement as the change (`WITH e AS (... RETURNING id)`). */
const withHistory = (change: string, action: EndpointHistoryEntry['action'], detailSql = 'NULL') =>
  `WITH e AS (${change} RETURNING ${ENDPOINT_COLUMNS}),
        h AS (INSERT INTO webhook_endpoint_history (endpoint_id, action, detail) SELECT id, '${action}', ${detailSql} FROM e)
   SELECT * FROM e`;

export async function createEndpoint(
  pool: Pool,
  e: { orgId: string; url: string; description: string | null; events: WebhookEvent[]; secretEnc: string },
): Promise<WebhookEndpoint> {
  const { rows } = await pool.query<WebhookEndpoint>(
    withHistory(
      `INSERT INTO webhook_endpoints (id, org_id, url, description, events, secret_enc) VALUES ($1, $2, $3, $4, $5, $6)`,
      'created',
      '$3',
    ),
    [randomUUID(), e.orgId, e.url, e.description, e.events, e.secretEnc],
  );
  return rows[0]!;
}

export async function listEndpoints(pool: Pool, orgId: string): Promise<WebhookEndpoint[]> {
  return (
    await pool.query<WebhookEndpoint>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
      [orgId],
    )
  ).rows;
}

export async function getEndpoint(pool: Pool, orgId: string, id: string): Promise<(WebhookEndpoint & { secretEnc: string }) | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await pool.query<WebhookEndpoint & { secretEnc: string }>(
    `SELECT ${ENDPOINT_COLUMNS}, secret_enc AS "secretEnc" FROM webhook_endpoints WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [orgId, id],
  );
  return rows[0];
}

/** Changes what is given; `enabled` true clears the failure record, false records who disabled it. */
export async function updateEndpoint(
  pool: Pool,
  orgId: string,
  id: string,
  u: { url?: string; description?: string | null; events?: WebhookEvent[]; enabled?: boolean },
): Promise<WebhookEndpoint | undefined> {
  if (!isId(id)) return undefined;
  const sets = ['updated_at = now()'];
  const args: unknown[] = [orgId, id];
  if (u.url !== undefined) sets.push(`url = $${args.push(u.url)}`);
  if (u.description !== undefined) sets.push(`description = $${args.push(u.description)}`);
  if (u.events !== undefined) sets.push(`events = $${args.push(u.events)}`);
  if (u.enabled === true) sets.push('enabled = true', 'disabled_at = NULL', 'disabled_reason = NULL', 'failing_since = NULL');
  if (u.enabled === false)
    sets.push(
      'enabled = false',
      'disabled_at = coalesce(disabled_at, now())',
      "disabled_reason = coalesce(disabled_reason, 'disabled through the API')",
    );
  const changed = Object.keys(u).filter((k) => u[k as keyof typeof u] !== undefined && k !== 'enabled');
  const action = u.enabled === undefined ? 'updated' : u.enabled ? 'enabled' : 'disabled';
  const detail = changed.length ? `$${args.push(changed.join(', '))}::text` : 'NULL';
  const { rows } = await pool.query<WebhookEndpoint>(
    withHistory(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, action, detail),
    args,
  );
  return rows[0];
}

/** A new secret; the current one becomes the previous, still signing for `graceS` seconds (0: at once replaced). */
export async function rotateEndpointSecret(
  pool: Pool,
  orgId: string,
  id: string,
  secretEnc: string,
  graceS: number,
): Promise<WebhookEndpoint | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await pool.query<WebhookEndpoint>(
    withHistory(
      `UPDATE webhook_endpoints SET previous_secret_enc = secret_enc, secret_enc = $3,
              previous_secret_expires_at = now() + make_interval(secs => $4), updated_at = now()
        WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`,
      'secret_rotated',
      `'previous secret valid for ' || $4::int || ' s'`,
    ),
    [orgId, id, secretEnc, graceS],
  );
  return rows[0];
}

/** Soft delete: the endpoint stops receiving and disappears from the API; its deliveries and their log stay. */
export async function deleteEndpoint(pool: Pool, orgId: string, id: string): Promise<boolean> {
  if (!isId(id)) return false;
  const { rows } = await pool.query(
    withHistory(
      `UPDATE webhook_endpoints SET deleted_at = now(), enabled = false, updated_at = now() WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`,
      'deleted',
    ),
    [orgId, id],
  );
  return rows.length > 0;
}

export async function endpointHistory(pool: Pool, orgId: string, id: string): Promise<EndpointHistoryEntry[] | undefined> {
  if (!(await getEndpoint(pool, orgId, id))) return undefined;
  return (
    await pool.query<EndpointHistoryEntry>(
      `SELECT action, detail, created_at AS at FROM webhook_endpoint_history WHERE endpoint_id = $1 ORDER BY id`,
      [id],
    )
  ).rows;
}

/**
 * Records an attempt's outcome on its endpoint: a success clears `failing_since`; a failure sets it
 * once, and disables the endpoint (with a history entry) when it has been failing for `disableAfterS`.
 * Returns whether this call disabled it.
 */
export async function noteEndpointOutcome(pool: Pool, endpointId: string, ok: boolean, disableAfterS: number): Promise<boolean> {
  if (ok) {
    await pool.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [endpointId]);
    return false;
  }
  const due = `enabled AND $2 > 0 AND failing_since <= now() - make_interval(secs => $2)`;
  const { rows } = await pool.query<{ disabled: boolean }>(
    `WITH e AS (
       UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()),
              enabled = CASE WHEN ${due} THEN false ELSE enabled END,
              disabled_at = CASE WHEN ${due} THEN now() ELSE disabled_at END,
              disabled_reason = CASE WHEN ${due} THEN 'disabled automatically: every attempt failed since ' || failing_since::text ELSE disabled_reason END,
              updated_at = CASE WHEN ${due} THEN now() ELSE updated_at END
        WHERE id = $1 AND deleted_at IS NULL
        RETURNING id, disabled_reason, NOT enabled AND disabled_at = now() AS disabled),
     h AS (INSERT INTO webhook_endpoint_history (endpoint_id, action, detail) SELECT id, 'auto_disabled', disabled_reason FROM e WHERE disabled)
     SELECT disabled FROM e`,
    [endpointId, disableAfterS],
  );
  return rows[0]?.disabled ?? false;
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
      WHERE s.id = $1 AND e.enabled AND e.deleted_at IS NULL AND $2 = ANY(e.events)
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
  /** The endpoint's previous secret while its rotation's grace period lasts: it signs too. */
  previousSecretEnc: string | null;
  endpointId: string | null;
  /** Why an endpoint's delivery must not go out now (disabled or deleted), else null. */
  endpointBlocked: string | null;
}

export async function getDeliveryToSend(pool: Pool, id: string): Promise<DeliveryToSend | undefined> {
  const { rows } = await pool.query<DeliveryToSend>(
    `SELECT d.id, d.url, d.event_type AS "eventType", d.payload, d.status, d.attempts, d.submission_id AS "submissionId",
            coalesce(e.secret_enc, s.callback_secret) AS "secretEnc",
            CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_enc END AS "previousSecretEnc",
            d.endpoint_id AS "endpointId",
            CASE WHEN e.deleted_at IS NOT NULL THEN 'the endpoint was deleted'
                 WHEN NOT e.enabled THEN 'the endpoint is disabled' END AS "endpointBlocked"
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

/** Ends a delivery that may not go out (its endpoint disabled or deleted) without an attempt; replayable later. */
export async function abandonDelivery(pool: Pool, id: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`,
    [id, reason],
  );
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
