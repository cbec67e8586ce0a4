import type { Command } from 'commander';
import { isId } from '@assay/contracts';
import { loadConfig, createPool, createQueues, migrate, NotRegradableError, redactUrl, regradeSubmission } from '@assay/platform';
import { CliError } from './CliError';

/** `assay submissions regrade <id…>`: an operator grades failed submissions again (uses DATABASE_URL, REDIS_URL). */
export function registerSubmissionsCommand(program: Command): void {
  const submissions = program.command('submissions').description('operate on stored submissions (uses DATABASE_URL and REDIS_URL)');

  submissions
    .command('regrade')
    .description('grade failed submissions again: their stored failure is removed, attempts reset, and a new job queued')
    .argument('<id...>', 'submission ids (UUIDs)')
    .action(async (ids: string[]) => {
      const bad = ids.filter((id) => !isId(id));
      if (bad.length) throw new CliError(`not submission ids (UUIDs): ${bad.join(', ')}`);
      const config = loadConfig();
      try {
        await migrate(config.databaseUrl);
      } catch (e) {
        throw new CliError(`cannot reach PostgreSQL at ${redactUrl(config.databaseUrl)}: set DATABASE_URL (${(e as Error).message})`, 1);
      }
      const pool = createPool({ ...config, databasePoolSize: 2 });
      const queues = createQueues(config, 'producer');
      const refused: string[] = [];
      try {
        for (const id of ids) {
          try {
            const done = await regradeSubmission(pool, queues, config, id);
            if (!done) refused.push(`${id}: no such submission`);
            else
              process.stdout.write(
                `${id} queued for regrading${done.enqueued ? '' : ' (the queue did not answer: a worker enqueues it when Redis is back)'}\n`,
              );
          } catch (e) {
            if (!(e instanceof NotRegradableError)) throw e;
            refused.push(`${id}: ${e.message}`);
          }
        }
      } finally {
        await Promise.allSettled([queues.close(), pool.end()]);
      }
      if (refused.length) throw new CliError(refused.join('\n'), 1);
    });
}
