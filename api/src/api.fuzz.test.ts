/**
 * Hostile input against a real server (real PostgreSQL and Redis): for every route of the OpenAPI
 * document, the web pages and the docs, a seeded set of hostile requests (fuzz/cases.ts). None
 * may get a 5xx, and every error must be problem+json whose `status` is the HTTP status and whose
 * `detail` says what was wrong. FUZZ_SEED=<n> replays another draw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@assay/platform';
import { openApiDocument } from './openapi';
import { PAGE_ROUTES } from './routes/web';
import { sendHttp, sendRaw, type Answer, type FuzzCase } from './fuzz/client';
import { casesFor, randomCases, rawCases, rng, type Route } from './fuzz/cases';
import { startTestApi, type TestApi } from './testing';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CONCURRENCY = 8;

/** A valid body and query for each operation that reads one (a new operation with a body must add its sample here). */
const BODIES: Record<string, unknown> = {
  createSubmission: {
    problemId: 'lru-cache',
    language: 'typescript',
    files: [{ path: 'solution.ts', content: 'export class LRUCache {}' }],
    callbackUrl: 'http://127.0.0.1:9/callback',
  },
  createWebhookEndpoint: { url: 'http://127.0.0.1:9/hook', description: 'ATS', events: ['submission.completed'] },
  updateWebhookEndpoint: { description: 'ATS, renamed', enabled: false },
  rotateWebhookEndpointSecret: { gracePeriodS: 60 },
};
const QUERIES: Record<string, Record<string, string>> = {
  listSubmissions: { problemId: 'lru-cache', status: 'queued', limit: '5', cursor: '' },
  listWebhookDeliveries: { submissionId: '3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f', status: 'pending', limit: '5' },
};

interface Op {
  operationId: string;
  requestBody?: unknown;
}

function routes(): Route[] {
  const doc = openApiDocument() as { paths: Record<string, Record<string, Op>> };
  const out: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      if (op.requestBody && !(op.operationId in BODIES)) throw new Error(`no sample body for ${op.operationId}: add one to BODIES`);
      return {
        path,
        methods: Object.entries(ops).map(([m]) => m.toUpperCase()),
        ...(op.operationId in BODIES && (method === 'post' || method === 'patch') ? { body: BODIES[op.operationId] } : {}),
        ...(QUERIES[op.operationId] ? { query: QUERIES[op.operationId] } : {}),
      };
    }),
  );
  for (const path of [...PAGE_ROUTES, '/docs', '/openapi.json', '/assets/app-nosuch.js']) out.push({ path, methods: ['GET'] });
  return out;
}

let t: TestApi;
let auth: Record<string, string>;

beforeAll(async () => {
  t = await startTestApi('api-fuzz', { RATE_LIMIT_ANONYMOUS: '0', ADMIN_PASSWORD: 'fuzz-admin-password' });
  // No grading runs here: /readyz reports a Docker engine that answers, so its 503 cannot pass for a fuzz failure.
  t.api.ctx.dockerPing = async () => {};
  auth = { authorization: `Bearer ${(await createApiKey(t.api.ctx.pool, 'Fuzz Org')).key}` };
});
afterAll(async () => {
  await t?.close();
});

function problems(c: FuzzCase, a: Answer): string[] {
  const out: string[] = [];
  const method = c.kind === 'http' ? c.method : c.bytes.toString('latin1').split(' ')[0];
  if (c.kind === 'http' && c.expect && a.status !== c.expect) out.push(`answered ${a.status}, not ${c.expect}: ${a.body.slice(0, 200)}`);
  if (a.status >= 500) out.push(`answered ${a.status}: ${a.body.slice(0, 300)}`);
  if (a.status === 0 && !(c.kind === 'raw' && c.mayClose)) out.push('closed without an answer');
  if (a.status >= 400 && method !== 'HEAD') {
    if (!/^application\/problem\+json/.test(a.headers['content-type'] ?? ''))
      out.push(`${a.status} with content-type ${a.headers['content-type']}`);
    else {
      const body = JSON.parse(a.body) as { status?: number; detail?: string; type?: string };
      if (body.status !== a.status) out.push(`status ${a.status} but body.status ${body.status}`);
      if (typeof body.detail !== 'string' || body.detail.length < 15) out.push(`no useful detail: ${a.body.slice(0, 200)}`);
      if (typeof body.type !== 'string') out.push('no type');
    }
  }
  if ((a.status === 405 || (method === 'OPTIONS' && a.status === 204)) && !a.headers.allow) out.push(`${a.status} without Allow`);
  return out;
}

describe('fuzzing every route', () => {
  it('answers no hostile request with a 5xx, and every error with problem+json', async () => {
    const pick = rng(SEED);
    const all = routes();
    const cases: FuzzCase[] = [
      // Every route with an API key and without one (public routes must refuse a bad key just the same).
      ...all.flatMap((r) => casesFor(r, auth, pick)),
      ...all.flatMap((r) => casesFor(r, {}, pick)),
      ...all.flatMap((r) => randomCases(r, pick() < 0.5 ? auth : {}, pick, 20)),
      ...rawCases(['/v1/submissions', '/v1/problems/lru-cache', '/problems/lru-cache', '/docs']),
      { kind: 'http', name: 'admin without credentials', method: 'GET', path: '/admin/queues' },
      { kind: 'http', name: 'admin with bad basic auth', method: 'GET', path: '/admin/queues', headers: { authorization: 'Basic %%%' } },
    ];
    const base = new URL(t.url);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const a = await (c.kind === 'http' ? sendHttp(base, c) : sendRaw(base, c));
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          for (const p of problems(c, a)) failures.push(`${c.name}: ${p}`);
        }
      }),
    );
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s || 'closed'}: ${n}`);
    console.log(
      `fuzz (seed ${SEED}): ${cases.length} requests over ${all.length} routes in ${Date.now() - started} ms; statuses ${byStatus.join(', ')}`,
    );
    expect(failures).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // The server is still healthy afterwards.
    expect((await t.request('GET', '/readyz')).status).toBe(200);
  }, 120_000);
});
