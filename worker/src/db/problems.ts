import path from 'node:path';
import { listProblemIds, loadProblem, PROBLEMS_DIR, type ProblemPackage } from '@assay/problems';
import { ManifestSchema } from '@assay/schema';
import type { Logger } from 'pino';
import type { Pool } from './pool';

type Snapshot = Pick<ProblemPackage, 'statement' | 'starter' | 'reference' | 'suitesBundle' | 'contentHash'>;

const recorded = new WeakMap<Pool, Set<string>>();

/** Stores this package version (once per process and version) so submissions can reference it. */
export async function recordProblemVersion(pool: Pool, pkg: ProblemPackage, logger?: Logger): Promise<void> {
  const key = `${pkg.manifest.id}@${pkg.manifest.version}`;
  let seen = recorded.get(pool);
  if (!seen) recorded.set(pool, (seen = new Set()));
  if (seen.has(key)) return;
  const snapshot: Snapshot = { statement: pkg.statement, starter: pkg.starter, reference: pkg.reference, suitesBundle: pkg.suitesBundle, contentHash: pkg.contentHash };
  const { rows } = await pool.query<{ content_hash: string }>(
    `WITH ins AS (
       INSERT INTO problems (id, version, content_hash, title, manifest, package) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id, version) DO NOTHING RETURNING content_hash)
     SELECT content_hash FROM ins UNION ALL SELECT content_hash FROM problems WHERE id = $1 AND version = $2 LIMIT 1`,
    [pkg.manifest.id, pkg.manifest.version, pkg.contentHash, pkg.manifest.title, JSON.stringify(pkg.manifest), JSON.stringify(snapshot)],
  );
  if (rows[0] && rows[0].content_hash !== pkg.contentHash)
    logger?.warn(
      { problemId: pkg.manifest.id, version: pkg.manifest.version },
      `problem ${key} changed on disk without a version bump: submissions keep grading against the recorded ${key}; bump "version" in its manifest.json`,
    );
  seen.add(key);
}

/** Records every package on disk; a package that does not load is logged and skipped. */
export async function syncProblems(pool: Pool, logger?: Logger): Promise<ProblemPackage[]> {
  const out: ProblemPackage[] = [];
  for (const id of await listProblemIds()) {
    try {
      const pkg = await loadProblem(id);
      await recordProblemVersion(pool, pkg, logger);
      out.push(pkg);
    } catch (e) {
      logger?.error({ problemId: id, err: e }, `problem package ${id} does not load and is not offered: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The package at exactly `version`: from disk when it still matches, else the recorded snapshot. */
export async function loadProblemAt(pool: Pool, id: string, version: string): Promise<ProblemPackage> {
  const { rows } = await pool.query<{ content_hash: string; manifest: unknown; package: Snapshot }>(
    `SELECT content_hash, manifest, package FROM problems WHERE id = $1 AND version = $2`,
    [id, version],
  );
  const row = rows[0];
  try {
    const disk = await loadProblem(id);
    if (disk.manifest.version === version && (!row || row.content_hash === disk.contentHash)) return disk;
  } catch {
    // gone from disk: fall back to the snapshot
  }
  if (!row) throw new Error(`problem ${id}@${version} is neither on disk nor recorded in the problems table`);
  return { dir: path.join(PROBLEMS_DIR, id), manifest: ManifestSchema.parse(row.manifest), ...row.package };
}
