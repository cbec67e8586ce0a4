import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPool, findApiKey } from '@assay/platform';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';
import { registerKeysCommand } from './keys';

let env: TestEnv;
const saved = process.env.DATABASE_URL;

async function run(...args: string[]): Promise<string> {
  const program = new Command('assay').exitOverride();
  registerKeysCommand(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'assay', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

beforeAll(async () => {
  env = await createTestEnv('keys');
  process.env.DATABASE_URL = env.config.databaseUrl;
});
afterAll(async () => {
  process.env.DATABASE_URL = saved;
  if (saved === undefined) delete process.env.DATABASE_URL;
  await env?.cleanup();
});

describe('assay keys', () => {
  it('creates a key once (stored hashed), lists it, and revokes it', async () => {
    const made = JSON.parse(await run('keys', 'create', '--org', 'Acme', '--json')) as { key: string; keyId: string; orgId: string };
    expect(made.key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    const pool = createPool({ ...env.config, databasePoolSize: 1 });
    try {
      const { rows } = await pool.query('SELECT encode(key_hash, $1) AS h FROM api_keys', ['hex']);
      expect(JSON.stringify(rows)).not.toContain(made.key);
      expect(await findApiKey(pool, made.key)).toMatchObject({ orgId: made.orgId, orgName: 'Acme' });
      const human = await run('keys', 'create', '--org', 'Acme');
      expect(human).toMatch(/^ak_\S+\n\nAPI key .* for organisation "Acme"/);
      expect(await run('keys', 'list', '--org', 'Acme')).toContain(made.keyId);
      expect(await run('keys', 'revoke', made.keyId)).toContain('revoked');
      expect(await findApiKey(pool, made.key)).toBeUndefined();
    } finally {
      await pool.end();
    }
  });
});
