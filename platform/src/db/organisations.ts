import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from './pool';

export interface Organisation {
  id: string;
  name: string;
}

export interface ApiKeyPrincipal {
  keyId: string;
  orgId: string;
  orgName: string;
}

/** `ak_<43 base64url chars>`: 256 random bits. Only its SHA-256 is stored. */
export function generateApiKey(): string {
  return `ak_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export async function findOrCreateOrganisation(pool: Pool, name: string): Promise<Organisation> {
  const { rows } = await pool.query<Organisation>(
    `INSERT INTO organisations (id, name) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, name`,
    [randomUUID(), name],
  );
  return rows[0]!;
}

/** Creates a key for `orgName` (creating the organisation if new); the plain key is returned once. */
export async function createApiKey(
  pool: Pool,
  orgName: string,
  keyName?: string,
): Promise<{ org: Organisation; keyId: string; key: string; prefix: string }> {
  const org = await findOrCreateOrganisation(pool, orgName);
  const key = generateApiKey();
  const keyId = randomUUID();
  const prefix = key.slice(0, 10);
  await pool.query(`INSERT INTO api_keys (id, org_id, key_hash, prefix, name) VALUES ($1, $2, $3, $4, $5)`, [
    keyId,
    org.id,
    hashApiKey(key),
    prefix,
    keyName ?? null,
  ]);
  return { org, keyId, key, prefix };
}

/** The active key's organisation (a read: no row lock, so many requests with one key run in parallel). */
export async function findApiKey(pool: Pool, key: string): Promise<ApiKeyPrincipal | undefined> {
  const { rows } = await pool.query<{ key_id: string; org_id: string; org_name: string }>(
    `SELECT k.id AS key_id, o.id AS org_id, o.name AS org_name
       FROM api_keys k JOIN organisations o ON o.id = k.org_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [hashApiKey(key)],
  );
  const r = rows[0];
  return r && { keyId: r.key_id, orgId: r.org_id, orgName: r.org_name };
}

export async function touchApiKey(pool: Pool, keyId: string): Promise<void> {
  await pool.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [keyId]);
}

export interface ApiKeyInfo {
  id: string;
  prefix: string;
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiKeys(pool: Pool, orgName: string): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<ApiKeyInfo>(
    `SELECT k.id, k.prefix, k.name, k.created_at AS "createdAt", k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt"
     FROM api_keys k JOIN organisations o ON o.id = k.org_id WHERE o.name = $1 ORDER BY k.created_at`,
    [orgName],
  );
  return rows;
}

export async function revokeApiKey(pool: Pool, keyId: string): Promise<boolean> {
  const { rowCount } = await pool.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [keyId]);
  return (rowCount ?? 0) > 0;
}
