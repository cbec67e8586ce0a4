import { Command, CommanderError } from 'commander';
import { CliError } from './CliError';
import { registerGradeCommand } from './grade';
import { registerKeysCommand } from './keys';
import { registerProblemsCommand } from './problems';
import { registerSubmissionsCommand } from './submissions';

const program = new Command('assay')
  .description('Grade solutions to backend coding problems in a locked-down sandbox')
  .showHelpAfterError()
  .exitOverride();
registerGradeCommand(program);
registerProblemsCommand(program);
registerKeysCommand(program);
registerSubmissionsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof CliError) {
    process.stderr.write(`assay: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  process.stderr.write(`assay: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}
