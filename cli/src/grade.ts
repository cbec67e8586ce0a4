import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { GradeInputError } from '@assay/grader';
import { describeProgress, LanguageSchema, languageOfPath, type Language, type SourceFile } from '@assay/contracts';
import { CliError } from './CliError';
import { openGrader, problemOrExplain } from './graderSession';
import { formatResult } from './report';

interface GradeFlags {
  problem: string;
  language?: string;
  json?: boolean;
}

/** Paths relative to the files' common folder, so `src/a.ts src/lib/b.ts` keeps its layout. */
async function readSubmission(paths: string[]): Promise<SourceFile[]> {
  const abs = paths.map((p) => path.resolve(p));
  const common = abs.map(path.dirname).reduce((a, b) => {
    while (!(b + path.sep).startsWith(a + path.sep) && a !== path.dirname(a)) a = path.dirname(a);
    return a;
  });
  return Promise.all(
    abs.map(async (file) => {
      try {
        return { path: path.relative(common, file).split(path.sep).join('/'), content: await readFile(file, 'utf8') };
      } catch (e) {
        throw new CliError(
          `cannot read ${path.relative(process.cwd(), file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
    }),
  );
}

/** The one language the files' extensions name, as the web page and the API infer it. */
function languageOfFiles(files: string[]): Language {
  const found = [...new Set(files.map((f) => languageOfPath(f)))];
  if (found.length === 1 && found[0]) return found[0];
  throw new CliError(
    found.length > 1
      ? `the files are in more than one language (${files.join(', ')}): say which with --language`
      : `cannot tell the language from ${files.join(', ')}: say which with --language (${LanguageSchema.options.join(', ')})`,
  );
}

export function registerGradeCommand(program: Command): void {
  program
    .command('grade')
    .description('grade solution files locally (needs only Docker)')
    .requiredOption('-p, --problem <id>', 'problem id, e.g. lru-cache (see `assay problems list`)')
    .option('-l, --language <language>', "typescript or javascript (default: from the files' extensions)")
    .option('--json', 'print exactly the result JSON on stdout')
    .argument('<files...>', 'the solution file(s); the one named like the starter file is the entry')
    .action(async (files: string[], flags: GradeFlags) => {
      const language = LanguageSchema.safeParse(flags.language ?? languageOfFiles(files));
      if (!language.success)
        throw new CliError(`unsupported language "${flags.language}": use one of ${LanguageSchema.options.join(', ')}`);
      const problem = await problemOrExplain(flags.problem);
      if (!problem.manifest.languages.includes(language.data))
        throw new CliError(`${problem.manifest.id} accepts ${problem.manifest.languages.join(', ')}, not ${language.data}`);
      const submission = await readSubmission(files);
      const grader = await openGrader();
      const started = Date.now();
      const progress = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
      try {
        const result = await grader.grade(
          { problem, language: language.data as Language, files: submission },
          { onProgress: (e) => progress(describeProgress(e)) },
        );
        process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
      } catch (e) {
        if (e instanceof GradeInputError) throw new CliError(e.message);
        throw e;
      }
    });
}
