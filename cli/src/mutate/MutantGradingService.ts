/**
 * The grading side of a mutation run: an HTTP server on a Unix socket that the command Stryker runs
 * (gradeMutant.mjs) calls once per mutant. One process holds the Grader (Docker, the type checker)
 * for every mutant, so a mutant costs its grading and not a CLI start-up.
 */
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { ProblemPackage } from '@assay/contracts';
import { activateMutant, countMutants, forMutationTesting, type Grader, type MutantGrading } from '@assay/grader';

/** One grading as it finishes; `mutant` is null for Stryker's initial run (no mutant active). */
export interface GradedEvent extends MutantGrading {
  packageId: string;
  mutant: string | null;
  done: number;
  total: number;
}

interface Registration {
  pkg: ProblemPackage;
  /** Stryker's sandboxes live under it; the service reads instrumented code from nowhere else. */
  projectDir: string;
  graded: Map<string, MutantGrading>;
  total: number;
}

interface GradeBody {
  packageId: string;
  mutant: string | null;
  dir: string;
}

export class MutantGradingService {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly packages = new Map<string, Registration>();

  constructor(
    private readonly grader: Grader,
    private readonly onGraded: (e: GradedEvent) => void,
  ) {}

  async listen(socketPath: string): Promise<void> {
    await rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => resolve());
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Readies the service for a package's mutants; their gradings collect in the returned map. */
  register(pkg: ProblemPackage, projectDir: string): ReadonlyMap<string, MutantGrading> {
    const graded = new Map<string, MutantGrading>();
    this.packages.set(pkg.manifest.id, { pkg: forMutationTesting(pkg), projectDir: path.resolve(projectDir), graded, total: 0 });
    return graded;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A client Stryker killed (its timeout) no longer waits: stop the sandbox at once.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const body = parseBody(await readBody(req));
      const reg = this.packages.get(body?.packageId ?? '');
      if (!body || !reg) return reply(res, 400, { error: 'expected {packageId, mutant, dir} for a registered package' });
      const dir = path.resolve(body.dir);
      if (!dir.startsWith(reg.projectDir + path.sep)) return reply(res, 400, { error: `${dir} is not one of the run's sandboxes` });
      const grading = await this.grade(reg, body.mutant, dir, abort.signal);
      if (abort.signal.aborted) return;
      if (body.mutant !== null) reg.graded.set(body.mutant, grading);
      this.onGraded({ packageId: body.packageId, mutant: body.mutant, done: reg.graded.size, total: reg.total, ...grading });
      reply(res, 200, { verdict: grading.verdict, summary: grading.summary });
    } catch (e) {
      reply(res, 500, { error: (e as Error).message });
    }
  }

  private async grade(reg: Registration, mutant: string | null, dir: string, signal: AbortSignal): Promise<MutantGrading> {
    const ref = reg.pkg.manifest.reference;
    const instrumented = await readFile(path.join(dir, ref.path), 'utf8');
    reg.total ||= countMutants(instrumented);
    const files = [{ path: path.basename(ref.path), content: activateMutant(instrumented, mutant) }];
    const started = performance.now();
    let result = await this.grader.grade({ problem: reg.pkg, language: ref.language, files }, { signal });
    // An internal error is ours, not the mutant's: once more before it is reported as one.
    if (result.verdict === 'internal_error' && !signal.aborted)
      result = await this.grader.grade({ problem: reg.pkg, language: ref.language, files }, { signal });
    return { verdict: result.verdict, summary: result.summary, ms: Math.round(performance.now() - started) };
  }
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64 * 1024) throw new Error('request body too large');
  }
  return text;
}

function parseBody(text: string): GradeBody | undefined {
  try {
    const b = JSON.parse(text) as Partial<GradeBody>;
    const mutantOk = b.mutant === null || typeof b.mutant === 'string';
    return typeof b.packageId === 'string' && typeof b.dir === 'string' && mutantOk ? (b as GradeBody) : undefined;
  } catch {
    return undefined;
  }
}
