import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies every pending SQL migration (under an advisory lock, so concurrent starts are safe). */
export async function migrate(databaseUrl: string, logger?: Logger): Promise<string[]> {
  try {
    const ran = await runner({
      databaseUrl,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      checkOrder: true,
      singleTransaction: true,
      log: (msg: string) => logger?.debug({ migration: true }, msg),
    });
    const names = ran.map((m) => m.name);
    if (names.length) logger?.info({ migrations: names }, `applied ${names.length} migration(s)`);
    return names;
  } catch (e) {
    throw new Error(
      `database migration failed against ${redactUrl(databaseUrl)}: ${(e as Error).message} — ` +
        'is PostgreSQL up (bash scripts/services.sh) and DATABASE_URL right?',
      { cause: e },
    );
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
