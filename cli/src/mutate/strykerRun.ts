/**
 * One package's StrykerJS run, as a child process in a project folder of its own (never the
 * repository): the reference is copied there, Stryker instruments it once (mutant switching) and its
 * built-in command runner starts gradeMutant.mjs for the initial run and for every mutant.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStrykerReport, type ReportedMutant } from '@assay/grader';

const require = createRequire(import.meta.url);
const GRADE_MUTANT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gradeMutant.mjs');
const REPORT = 'reports/mutation.json';
/** The sandbox ends a grading at the problem's wall limit plus its grace; Stryker waits longer still. */
const STRYKER_SLACK_MS = 40_000;

export interface StrykerRunOptions {
  projectDir: string;
  /** The reference solution to mutate, and its path inside the package (kept in the project). */
  referenceFile: string;
  referencePath: string;
  concurrency: number;
  wallMs: number;
  env: Record<string, string>;
  onOutput: (line: string) => void;
}

export type StrykerRunOutcome = { ok: true; mutants: ReportedMutant[] } | { ok: false; reason: string };

export async function runStryker(o: StrykerRunOptions): Promise<StrykerRunOutcome> {
  await mkdir(path.join(o.projectDir, path.dirname(o.referencePath)), { recursive: true });
  await copyFile(o.referenceFile, path.join(o.projectDir, o.referencePath));
  const config = path.join(o.projectDir, 'stryker.config.json');
  await writeFile(config, `${JSON.stringify(strykerConfig(o), null, 2)}\n`);
  const { code, tail } = await spawnStryker(config, o);
  if (code !== 0) return { ok: false, reason: `Stryker exited with code ${code}:\n${tail.join('\n')}` };
  try {
    return { ok: true, mutants: readStrykerReport(JSON.parse(await readFile(path.join(o.projectDir, REPORT), 'utf8'))) };
  } catch (e) {
    return { ok: false, reason: `Stryker's report is unreadable: ${(e as Error).message}` };
  }
}

function strykerConfig(o: StrykerRunOptions): Record<string, unknown> {
  return {
    testRunner: 'command',
    commandRunner: { command: `${JSON.stringify(process.execPath)} ${JSON.stringify(GRADE_MUTANT)}` },
    mutate: [o.referencePath],
    // The command runner cannot tell which test covers what: every mutant runs the whole grading.
    coverageAnalysis: 'off',
    concurrency: o.concurrency,
    reporters: ['json'],
    jsonReporter: { fileName: REPORT },
    // Instrumented TypeScript does not type-check; the grader's type check would call it a compile error.
    disableTypeChecks: true,
    symlinkNodeModules: false,
    timeoutMS: o.wallMs + STRYKER_SLACK_MS,
    timeoutFactor: 1.5,
    dryRunTimeoutMinutes: Math.ceil((o.wallMs + STRYKER_SLACK_MS) / 60_000) + 1,
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    logLevel: 'warn',
    fileLogLevel: 'off',
    allowConsoleColors: false,
  };
}

function spawnStryker(config: string, o: StrykerRunOptions): Promise<{ code: number | null; tail: string[] }> {
  const bin = path.join(path.dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
  const child = spawn(process.execPath, [bin, 'run', config], {
    cwd: o.projectDir,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      o.onOutput(line);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, tail }));
  });
}
