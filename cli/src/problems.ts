import type { Command } from 'commander';
import { validatePackage } from '@assay/grader';
import path from 'node:path';
import { listProblemIds, loadProblem, PROBLEMS_DIR } from '@assay/sdk/package';
import { CliError } from './CliError';
import { openGrader, problemOrExplain } from './graderSession';
import { registerMutateCommand } from './mutate/mutateCommand';
import { scaffoldPackage } from './scaffold/scaffoldPackage';

const DIR_OPTION = ['--dir <folder>', 'the folder holding the problem packages', PROBLEMS_DIR] as const;

export function registerProblemsCommand(program: Command): void {
  const problems = program.command('problems').description('list, validate and create problem packages');

  problems
    .command('list')
    .description('list every problem package')
    .option('--json', 'print the list as JSON')
    .option(...DIR_OPTION)
    .action(async (flags: { json?: boolean; dir: string }) => {
      const rows = [];
      const broken: string[] = [];
      for (const id of await listProblemIds(flags.dir)) {
        try {
          const { manifest: m } = await loadProblem(id, flags.dir);
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
    .option(...DIR_OPTION)
    .action(async (ids: string[], flags: { dir: string }) => {
      const targets = ids.length ? ids : await listProblemIds(flags.dir);
      const packages = await Promise.all(targets.map((id) => problemOrExplain(id, flags.dir)));
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

  problems
    .command('new')
    .description('create a package that validates as it is, to edit from (then: assay problems validate <id>)')
    .argument('<id>', 'lower-case words joined by dashes, e.g. word-counter')
    .option('--title <title>', 'the title candidates see')
    .option(...DIR_OPTION)
    .action(async (id: string, flags: { title?: string; dir: string }) => {
      const title = flags.title ?? id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
      const written = await scaffoldPackage(flags.dir, id, title);
      for (const file of written) process.stdout.write(`created ${path.join(flags.dir, file)}\n`);
      process.stdout.write(`next: edit statement.md, suites.ts and reference/, then run: npx assay problems validate ${id}\n`);
    });

  registerMutateCommand(problems, DIR_OPTION);
}
