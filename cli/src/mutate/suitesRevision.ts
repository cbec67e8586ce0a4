import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SUITES = ['suites.ts', 'suites/'];

/**
 * The commit a package's suites (suites.ts and any suites/ modules) last changed in, and whether the working tree differs from
 * it: a mutation score is worth only as much as knowing which suites it measured. Undefined outside git.
 */
export async function suitesRevision(packageDir: string): Promise<string | undefined> {
  try {
    const commit = (await run('git', ['log', '-1', '--format=%h', '--', ...SUITES], { cwd: packageDir })).stdout.trim();
    if (!commit) return 'not committed';
    const status = (await run('git', ['status', '--porcelain', '--', ...SUITES], { cwd: packageDir })).stdout.trim();
    return status ? `${commit} + uncommitted changes` : commit;
  } catch {
    return undefined;
  }
}
