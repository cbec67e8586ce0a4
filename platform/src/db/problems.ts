import path from 'node:path';
import { type ProblemPackage, ManifestSchema } from '@assay/contracts';
import { listProblemIds, loadProblem, PROBLEMS_DIR } from '@assay/sdk/package';
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
  const snapshot: Snapshot = {
    statement: pkg.statement,
    starter: pkg.starter,
    reference: pkg.reference,
    suitesBundle: pkg.suitesBundle,
    contentHash: pkg.contentHash,
  };
  // Same version, new content (a package edited without a version bump, or a rebuilt SDK): the
  // disk is the truth for its version, so the snapshot follows it, and we say so.
  const { rows } = await pool.query<{ previous: string | null }>(
    `WITH old AS (SELECT content_hash FROM problems WHERE id = $1 AND version = $2)
     INSERT INTO problems (id, version, content_hash, title, manifest, package) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id, version) DO UPDATE
       SET content_hash = EXCLUDED.content_hash, title = EXCLUDED.title, manifest = EXCLUDED.manifest, package = EXCLUDED.package
       WHERE problems.content_hash <> EXCLUDED.content_hash
     RETURNING (SELECT content_hash FROM old) AS previous`,
    [pkg.manifest.id, pkg.manifest.version, pkg.contentHash, pkg.manifest.title, JSON.stringify(pkg.manifest), JSON.stringify(snapshot)],
  );
  if (rows[0]?.previous)
    logger?.warn(
      { problemId: pkg.manifest.id, version: pkg.manifest.version },
      `problem ${key} changed on disk without a version bump: its recorded snapshot now follows the disk; ` +
        'bump "version" in its problem.json when a change alters grading',
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

/** The package at `version`: from disk while the disk holds that version, else the snapshot recorded when it did. */
export async function loadProblemAt(pool: Pool, id: string, version: string): Promise<ProblemPackage> {
  try {
    const disk = await loadProblem(id);
    if (disk.manifest.version === version) return disk;
  } catch {
    // gone from disk: fall back to the snapshot
  }
  const { rows } = await pool.query<{ manifest: unknown; package: Snapshot }>(
    `SELECT manifest, package FROM problems WHERE id = $1 AND version = $2`,
    [id, version],
  );
  const row = rows[0];
  if (!row) throw new Error(`problem ${id}@${version} is neither on disk nor recorded in the problems table`);
  // Snapshots recorded before known submissions moved into folders still list them in the manifest.
  const { solutions: _listedSolutions, ...manifest } = row.manifest as Record<string, unknown>;
  return { dir: path.join(PROBLEMS_DIR, id), manifest: ManifestSchema.parse(manifest), ...row.package, knownSubmissions: [] };
}
