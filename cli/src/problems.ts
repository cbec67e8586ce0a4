import type { Command } from 'commander';
import { validatePackage } from '@assay/grader';
import { listProblemIds, loadProblem } from '@assay/sdk/package';
import { CliError } from './CliError';
import { openGrader, problemOrExplain } from './graderSession';

export function registerProblemsCommand(program: Command): void {
  const problems = program.command('problems').description('list and validate problem packages');

  problems
    .command('list')
    .description('list every problem package')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      const rows = [];
      const broken: string[] = [];
      for (const id of await listProblemIds()) {
        try {
          const { manifest: m } = await loadProblem(id);
          rows.push({
            id: m.id,
            title: m.title,
            version: m.version,
            difficulty: m.difficulty,
            kind: m.kind,
            languages: m.languages,
            minutes: m.estimatedMinutes,
            tags: m.tags,
          });
        } catch (e) {
          broken.push(`${id}: ${(e as Error).message}`);
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        const w = Math.max(...rows.map((r) => r.id.length), 2);
        process.stdout.write(`${'id'.padEnd(w)}  ${'difficulty'.padEnd(10)}  ${'kind'.padEnd(7)}  title\n`);
        for (const r of rows)
          process.stdout.write(
            `${r.id.padEnd(w)}  ${r.difficulty.padEnd(10)}  ${r.kind.padEnd(7)}  ${r.title} (${r.version}, ~${r.minutes} min, ${r.languages.join('/')})\n`,
          );
        process.stdout.write(`${rows.length} problems\n`);
      }
      // A broken package is listed as such and fails the command, without hiding the others.
      if (broken.length) throw new CliError(`${broken.length} broken package(s):\n  ${broken.join('\n  ')}`, 1);
    });

  problems
    .command('validate')
    .description('grade every known-verdict solution of the given problems (all by default) and fail on any mismatch')
    .argument('[ids...]', 'problem ids')
    .action(async (ids: string[]) => {
      const targets = ids.length ? ids : await listProblemIds();
      const packages = await Promise.all(targets.map(problemOrExplain));
      const grader = await openGrader();
      const failed: string[] = [];
      for (const pkg of packages) {
        const started = Date.now();
        process.stdout.write(`validating ${pkg.manifest.id}@${pkg.manifest.version}\n`);
        const report = await validatePackage(
          pkg,
          (req) => grader.grade(req),
          (line) => process.stdout.write(`  ${line}\n`),
        );
        process.stdout.write(`  ${report.ok ? 'valid' : 'INVALID'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        if (!report.ok) failed.push(pkg.manifest.id);
      }
      if (failed.length) throw new CliError(`${failed.length} of ${packages.length} packages failed validation: ${failed.join(', ')}`, 1);
      process.stdout.write(`all ${packages.length} packages valid\n`);
    });
}
