import type { Command } from 'commander';
import { isId } from '@assay/contracts';
import { loadConfig, createApiKey, createPool, listApiKeys, migrate, redactUrl, revokeApiKey, type Pool } from '@assay/platform';
import { CliError } from './CliError';

async function withDatabase<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  const config = loadConfig();
  try {
    await migrate(config.databaseUrl);
  } catch (e) {
    throw new CliError(
      `cannot reach PostgreSQL at ${redactUrl(config.databaseUrl)}: start it with \`bash scripts/services.sh\` or set DATABASE_URL (${(e as Error).message})`,
      1,
    );
  }
  const pool = createPool({ ...config, databasePoolSize: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/** `assay keys create|list|revoke`: organisations' API keys (stored hashed; a key is shown once). */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("manage organisations' API keys (uses DATABASE_URL)");

  keys
    .command('create')
    .description('create an API key for an organisation (created if new); the key is printed once')
    .requiredOption('--org <name>', 'organisation name')
    .option('--name <label>', 'a label to recognise the key by')
    .option('--json', 'print { orgId, keyId, key } as JSON')
    .action(async (flags: { org: string; name?: string; json?: boolean }) => {
      const org = flags.org.trim();
      if (!org || org.length > 100) throw new CliError('--org must be 1 to 100 characters');
      const made = await withDatabase((pool) => createApiKey(pool, org, flags.name));
      if (flags.json)
        return void process.stdout.write(
          `${JSON.stringify({ orgId: made.org.id, org: made.org.name, keyId: made.keyId, key: made.key })}\n`,
        );
      process.stdout.write(
        `${made.key}\n\nAPI key ${made.keyId} for organisation "${made.org.name}" (${made.org.id}).\n` +
          `Store it now: only its hash is kept, it cannot be shown again.\nUse it as: Authorization: Bearer ${made.key}\n`,
      );
    });

  keys
    .command('list')
    .description("list an organisation's keys (ids and prefixes, never the keys)")
    .requiredOption('--org <name>', 'organisation name')
    .action(async (flags: { org: string }) => {
      const rows = await withDatabase((pool) => listApiKeys(pool, flags.org));
      if (!rows.length) throw new CliError(`organisation "${flags.org}" has no keys (or does not exist)`, 1);
      for (const k of rows)
        process.stdout.write(
          `${k.id}  ${k.prefix}…  ${k.revokedAt ? 'revoked' : 'active '}  created ${k.createdAt.toISOString()}  ` +
            `last used ${k.lastUsedAt?.toISOString() ?? 'never'}${k.name ? `  ${k.name}` : ''}\n`,
        );
    });

  keys
    .command('revoke')
    .description('revoke a key by its id')
    .argument('<keyId>', 'the key id printed by create or list')
    .action(async (keyId: string) => {
      if (!isId(keyId)) throw new CliError('keyId must be the UUID printed by `assay keys create` or `assay keys list`');
      const ok = await withDatabase((pool) => revokeApiKey(pool, keyId));
      if (!ok) throw new CliError(`no active key ${keyId}`, 1);
      process.stdout.write(`revoked ${keyId}\n`);
    });
}
