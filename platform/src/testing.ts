/**
 * For tests: a fresh PostgreSQL database and queue prefix per test file, on the same servers
 * `scripts/services.sh` runs, so test files never see each other's rows or jobs.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from './config';

/** The Standard Webhooks reference library, so other workspaces' tests verify deliveries as a receiver would. */
export { Webhook as StandardWebhook } from 'standardwebhooks';

export interface TestEnv {
  config: Config;
  /** Environment variables reproducing `config` (for child processes). */
  env: Record<string, string>;
  /** Drops the database and the Redis keys. */
  cleanup(): Promise<void>;
}

export async function createTestEnv(name: string, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const base = loadConfig({ ...process.env });
  const dbName = `assay_test_${slug}`;
  const admin = new URL(base.databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await client.end();
  }
  const dbUrl = new URL(base.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const prefix = `test-${slug}`;
  await deleteKeys(base.redisUrl, prefix);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: '0',
    ALLOW_LOOPBACK_CALLBACKS: 'true',
    RUN_WORKER: 'false',
    ...overrides,
  };
  return {
    config: loadConfig(env),
    env,
    async cleanup() {
      await deleteKeys(base.redisUrl, prefix).catch(() => {});
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
