import pino from 'pino';
import { Grader } from '@assay/grader';
import { type ProblemPackage } from '@assay/contracts';
import { loadProblem, listProblemIds, ProblemPackageError, PROBLEMS_DIR } from '@assay/sdk/package';
import { CliError } from './CliError';

/** Connects to Docker and readies the runner image, with a progress line when it is built. */
export async function openGrader(): Promise<Grader> {
  try {
    // Warnings and internal failures go to stderr as JSON lines; stdout stays the report.
    const logger = pino({ level: process.env.ASSAY_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    return await Grader.create({ logger, onImageBuild: (line) => process.stderr.write(`${line}\n`) });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export async function problemOrExplain(id: string, root = PROBLEMS_DIR): Promise<ProblemPackage> {
  try {
    return await loadProblem(id, root);
  } catch (e) {
    if (e instanceof ProblemPackageError && e.reason === 'unknown')
      throw new CliError(`unknown problem "${id}"; known problems: ${(await listProblemIds(root)).join(', ')}`);
    throw new CliError(`problem "${id}" is broken: ${(e as Error).message}`);
  }
}
