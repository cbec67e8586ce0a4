/** The problem packages this API offers: loaded from disk at start, recorded by version in PostgreSQL. */
import type { ProblemPackage } from '@assay/contracts';
import { sampleTestNames } from '@assay/sdk/package';
import type { Config } from './config';
import type { Pool } from './db/pool';
import { syncProblems } from './db/problems';
import type { Logger } from 'pino';

export class ProblemCatalogue {
  private readonly byId = new Map<string, ProblemPackage>();
  private readonly samples = new Map<string, Promise<string[]>>();

  private constructor(private readonly config: Pick<Config, 'practiceProblems'>) {}

  static async load(pool: Pool, config: Pick<Config, 'practiceProblems'>, logger: Logger): Promise<ProblemCatalogue> {
    const c = new ProblemCatalogue(config);
    for (const pkg of await syncProblems(pool, logger)) c.byId.set(pkg.manifest.id, pkg);
    logger.info({ problems: [...c.byId.keys()] }, `offering ${c.byId.size} problem(s)`);
    return c;
  }

  get(id: string): ProblemPackage | undefined {
    return this.byId.get(id);
  }

  list(): ProblemPackage[] {
    return [...this.byId.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** Open to anonymous practice submissions. */
  isPractice(id: string): boolean {
    return this.config.practiceProblems.includes('*') || this.config.practiceProblems.includes(id);
  }

  /** Names of the sample tests, read from the (trusted) suites bundle; hidden tests are never listed. */
  sampleTestNames(pkg: ProblemPackage): Promise<string[]> {
    let p = this.samples.get(pkg.contentHash);
    if (!p) {
      p = sampleTestNames(pkg).catch(() => []);
      this.samples.set(pkg.contentHash, p);
    }
    return p;
  }
}
