/**
 * `assay problems mutate <id>…`: mutation testing of a package's suites. StrykerJS mutates the
 * reference solution; every mutant is graded, through the real sandbox, with the package's
 * correctness and stress suites. A mutant the suites do not accept is killed; the score is killed
 * over every mutant not marked equivalent in the package's mutation.json.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { ProblemPackage } from '@assay/contracts';
import { EquivalentsFileError, GRADER_VERSION, loadEquivalents, summarize } from '@assay/grader';
import { CliError } from '../CliError';
import { openGrader, problemOrExplain } from '../graderSession';
import { MutantGradingService } from './MutantGradingService';
import { packageReport, progressLine, reached, table, type PackageOutcome } from './print';
import { runStryker } from './strykerRun';
import { suitesRevision } from './suitesRevision';

interface MutateFlags {
  threshold: string;
  concurrency: string;
  json?: string;
  dir: string;
}

export function registerMutateCommand(problems: Command, dirOption: readonly [string, string, string]): void {
  problems
    .command('mutate')
    .description(
      'mutation-test the suites: grade every StrykerJS mutant of the reference with the correctness and stress suites; ' +
        'exit 1 when a package scores below the threshold',
    )
    .argument('<ids...>', 'problem ids')
    .option('--threshold <percent>', 'the mutation score every package must reach', '90')
    .option('--concurrency <n>', 'mutants graded at once', '2')
    .option('--json <file>', "also write every package's result (each mutant's outcome) to this file as JSON")
    .option(...dirOption)
    .action((ids: string[], flags: MutateFlags) => mutate(ids, flags));
}

async function mutate(ids: string[], flags: MutateFlags): Promise<void> {
  const threshold = numberIn(flags.threshold, '--threshold', 0, 100);
  const concurrency = numberIn(flags.concurrency, '--concurrency', 1, 16);
  if (!Number.isInteger(concurrency)) throw new CliError(`--concurrency must be a whole number, got "${flags.concurrency}"`);
  const packages = await Promise.all(ids.map((id) => problemOrExplain(id, flags.dir)));
  const equivalents = await Promise.all(packages.map((pkg) => loadEquivalents(pkg.dir).catch(usageError)));
  const grader = await openGrader();
  const work = await mkdtemp(path.join(tmpdir(), 'assay-mutate-'));
  const cleanUp = () => rmSync(work, { recursive: true, force: true });
  process.once('SIGINT', () => (cleanUp(), process.exit(130)));
  const service = new MutantGradingService(grader, (e) => process.stderr.write(`${progressLine(e)}\n`));
  const socket = path.join(work, 'grader.sock');
  await service.listen(socket);
  const outcomes: PackageOutcome[] = [];
  try {
    for (const [i, pkg] of packages.entries()) {
      const outcome = await mutatePackage(pkg, equivalents[i]!, { service, socket, work, concurrency, threshold });
      process.stdout.write(packageReport(outcome));
      outcomes.push(outcome);
    }
  } finally {
    await service.close();
    await grader.close();
    await rm(work, { recursive: true, force: true });
  }
  if (outcomes.length > 1) process.stdout.write(`\n${table(outcomes)}`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(jsonReport(outcomes, threshold), null, 2)}\n`);
  const below = outcomes.filter((o) => !reached(o)).map((o) => o.id);
  if (below.length)
    throw new CliError(
      `${below.length} of ${outcomes.length} packages did not reach a mutation score of ${threshold} %: ${below.join(', ')}`,
      1,
    );
  process.stdout.write(`all ${outcomes.length} packages reached a mutation score of ${threshold} % (grader ${GRADER_VERSION})\n`);
}

interface RunContext {
  service: MutantGradingService;
  socket: string;
  work: string;
  concurrency: number;
  threshold: number;
}

async function mutatePackage(pkg: ProblemPackage, equivalents: Map<string, string>, ctx: RunContext): Promise<PackageOutcome> {
  const m = pkg.manifest;
  const started = Date.now();
  const revision = await suitesRevision(pkg.dir);
  process.stderr.write(`mutating ${m.id}@${m.version} (suites ${revision ?? 'outside git'}, grader ${GRADER_VERSION})\n`);
  const projectDir = path.join(ctx.work, m.id);
  const graded = ctx.service.register(pkg, projectDir);
  const run = await runStryker({
    projectDir,
    referenceFile: path.join(pkg.dir, m.reference.path),
    referencePath: m.reference.path,
    concurrency: ctx.concurrency,
    wallMs: m.limits.wallMs,
    env: { ASSAY_MUTATE_SOCKET: ctx.socket, ASSAY_MUTATE_PACKAGE: m.id },
    onOutput: (line) => process.stderr.write(`  stryker: ${line}\n`),
  });
  const base = { id: m.id, version: m.version, dir: pkg.dir, suitesRevision: revision, threshold: ctx.threshold };
  if (!run.ok) return { ...base, durationMs: Date.now() - started, failure: run.reason };
  return { ...base, durationMs: Date.now() - started, summary: summarize(m.id, run.mutants, graded, equivalents) };
}

function jsonReport(outcomes: PackageOutcome[], threshold: number) {
  return {
    date: new Date().toISOString(),
    graderVersion: GRADER_VERSION,
    threshold,
    packages: outcomes.map((o) => ({ ...o, reached: reached(o) })),
  };
}

function numberIn(text: string, option: string, min: number, max: number): number {
  const n = Number(text);
  if (!text.trim() || !Number.isFinite(n) || n < min || n > max)
    throw new CliError(`${option} must be a number from ${min} to ${max}, got "${text}"`);
  return n;
}

function usageError(e: unknown): never {
  if (e instanceof EquivalentsFileError) throw new CliError(e.message);
  throw e;
}
