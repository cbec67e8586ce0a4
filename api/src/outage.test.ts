/**
 * PostgreSQL or Redis going away mid-test: requests that need them answer 503 problem+json with
 * Retry-After (never a 500, never a hang), and the API recovers by itself once they are back.
 * Both run privately (worker/src/faults/privateServices.ts): the shared services are never touched.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, loadConfig } from '@assay/platform';
import { PrivatePostgres, PrivateRedis } from '../../worker/src/faults/privateServices';
import { startServer, type RunningServer } from './server';

let dir: string | undefined;
let redis: PrivateRedis | undefined;
let postgres: PrivatePostgres | undefined;
let api: RunningServer | undefined;
let key: string;
let body: string;

const post = (headers: Record<string, string> = {}) =>
  call('POST', '/v1/submissions', { 'content-type': 'application/json', ...headers }, body);

async function call(method: string, path: string, headers: Record<string, string> = {}, payload?: string) {
  const res = await fetch(api!.url + path, { method, headers, body: payload, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function expectUnavailable(r: Awaited<ReturnType<typeof call>>, what: RegExp): void {
  expect(r.status, r.text).toBe(503);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(r.body?.status).toBe(503);
  expect(String(r.body?.detail)).toMatch(what);
}

/** Polls until `ok` holds; returns how long it took. */
async function recovery(ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  while (!(await ok().catch(() => false))) {
    if (Date.now() - start > timeoutMs) throw new Error(`no recovery within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'assay-outage-'));
  await chmod(dir, 0o755); // PostgreSQL runs as its own OS user, below this dir
  [redis, postgres] = await Promise.all([PrivateRedis.start(path.join(dir, 'redis')), PrivatePostgres.start(path.join(dir, 'pg'))]);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: postgres.url(),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'outage',
    HOST: '127.0.0.1',
    PORT: '0',
    RUN_WORKER: 'false',
    RATE_LIMIT_ANONYMOUS: '1000',
  });
  api = await startServer({ config, logger: pino({ level: config.logLevel }) });
  key = (await createApiKey(api.ctx.pool, 'Outage Org')).key;
  const src = await readFile(new URL('../../problems/lru-cache/reference/solution.ts', import.meta.url), 'utf8');
  body = JSON.stringify({ problemId: 'lru-cache', language: 'typescript', files: [{ path: 'solution.ts', content: src }] });
}, 60_000);

afterAll(async () => {
  await api?.close().catch(() => {});
  await Promise.allSettled([redis?.stop(), postgres?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('a dependency outage is a 503 with Retry-After, then heals', () => {
  it('Redis killed: submissions (anonymous and with a key, rate limiter included) answer 503; reads from PostgreSQL go on', async () => {
    const before = await post();
    expect(before.status, before.text).toBe(202);
    const id = String(before.body?.id);

    await redis!.kill();
    expectUnavailable(await post(), /Redis/);
    // The queued submission's event stream needs Redis (its progress log): a 503, not a stream that ends at once.
    expectUnavailable(await call('GET', `/v1/submissions/${id}/events`, { accept: 'text/event-stream' }), /Redis/);
    expectUnavailable(await post({ authorization: `Bearer ${key}` }), /Redis/);
    expect((await call('GET', `/v1/submissions/${id}`)).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect((ready.body?.checks as Record<string, { ok: boolean }>).redis!.ok).toBe(false);
    const { rows } = await api!.ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM submissions');
    expect(Number(rows[0]!.n)).toBe(1);

    await redis!.start();
    const ms = await recovery(async () => (await post()).status === 202);
    console.log(`Redis outage: POST /v1/submissions accepted again ${ms} ms after redis-server restarted`);
  }, 90_000);

  it('PostgreSQL killed: submissions, reads and authenticated requests answer 503; back when it restarts', async () => {
    await postgres!.kill();
    expectUnavailable(await post(), /PostgreSQL/);
    expectUnavailable(await call('GET', '/v1/submissions/3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f'), /PostgreSQL/);
    expectUnavailable(await call('GET', '/v1/submissions', { authorization: `Bearer ${key}` }), /PostgreSQL/);
    // A key never seen before needs PostgreSQL to be checked at all.
    expectUnavailable(await call('GET', '/v1/problems', { authorization: 'Bearer assay_unknown_key' }), /PostgreSQL/);
    expect((await call('GET', '/v1/problems')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(503);

    await postgres!.start();
    const ms = await recovery(async () => (await post()).status === 202);
    console.log(`PostgreSQL outage: POST /v1/submissions accepted again ${ms} ms after postgres restarted`);
    expect((await call('GET', '/v1/submissions', { authorization: `Bearer ${key}` })).status).toBe(200);
  }, 90_000);
});
