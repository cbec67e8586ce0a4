/**
 * The HTTP API against real PostgreSQL and Redis (no grading here: no worker consumes the queue,
 * so every accepted submission stays queued and every job stays waiting where we can count it).
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import { importSuitesBundle } from '@assay/sdk';
import { SUBMISSION_LIMITS } from '@assay/contracts';
import { startTestApi, type TestApi } from './testing';

let t: TestApi;
let keyA: string;
let keyB: string;
let reference: string;

const submission = (over: Record<string, unknown> = {}) => ({
  problemId: 'lru-cache',
  language: 'typescript',
  files: [{ path: 'solution.ts', content: reference }],
  ...over,
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
/** Each anonymous client its own address (trust proxy = loopback), so rate limits stay per test. */
let clients = 0;
const client = () => {
  const n = ++clients;
  return { 'x-forwarded-for': `198.51.${100 + Math.floor(n / 250)}.${(n % 250) + 1}` };
};

async function counts() {
  const { rows } = await t.api.ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM submissions');
  const jobs = await t.api.ctx.queues.grading.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  return { submissions: Number(rows[0]!.n), jobs: Object.values(jobs).reduce((a, b) => a + b, 0) };
}

beforeAll(async () => {
  t = await startTestApi('api', { RATE_LIMIT_ANONYMOUS: '5', ADMIN_PASSWORD: 'correct-horse-battery' });
  keyA = (await createApiKey(t.api.ctx.pool, 'Org A')).key;
  keyB = (await createApiKey(t.api.ctx.pool, 'Org B')).key;
  reference = await readFile(new URL('../../problems/lru-cache/reference/solution.ts', import.meta.url), 'utf8');
});
afterAll(async () => {
  await t?.close();
});

describe('bad input: a 4xx problem+json saying what was wrong; nothing stored, nothing enqueued', () => {
  const big = 'x'.repeat(SUBMISSION_LIMITS.maxFileBytes + 1);
  const cases: Array<[string, { raw?: string; body?: unknown; headers?: Record<string, string> }, number, RegExp]> = [
    ['malformed JSON', { raw: '{"problemId": "lru-cache",', headers: { 'content-type': 'application/json' } }, 400, /not valid JSON/],
    [
      'not JSON at all',
      { raw: 'problemId=lru-cache', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      /Content-Type: application\/json/,
    ],
    ['a JSON array', { body: [1, 2] }, 422, /JSON object/],
    ['wrong types', { body: { problemId: 42, language: 'typescript', files: 'solution.ts' } }, 422, /problemId.*files|files.*problemId/],
    ['no files', { body: { problemId: 'lru-cache', language: 'typescript', files: [] } }, 422, /at least one file/],
    [
      'unknown problem',
      { body: { problemId: 'no-such-problem', language: 'typescript', files: [{ path: 'solution.ts', content: '' }] } },
      422,
      /no problem "no-such-problem"/,
    ],
    [
      'unsupported language',
      { body: { problemId: 'lru-cache', language: 'python', files: [{ path: 'solution.py', content: '' }] } },
      422,
      /language/,
    ],
    [
      'the entry file missing',
      { body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: 'other.ts', content: '' }] } },
      422,
      /must include a file named solution\.ts/,
    ],
    [
      'too many files',
      {
        body: {
          problemId: 'lru-cache',
          language: 'typescript',
          files: Array.from({ length: SUBMISSION_LIMITS.maxFiles + 1 }, (_, i) => ({ path: `f${i}.ts`, content: '' })),
        },
      },
      422,
      /at most 20 files/,
    ],
    [
      'a file too large',
      { body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: 'solution.ts', content: big }] } },
      422,
      /at most 262144 bytes/,
    ],
    [
      'files too large together',
      {
        body: {
          problemId: 'lru-cache',
          language: 'typescript',
          files: Array.from({ length: 5 }, (_, i) => ({ path: i ? `f${i}.ts` : 'solution.ts', content: 'y'.repeat(250_000) })),
        },
      },
      422,
      /add up to at most/,
    ],
    [
      'a body past the size limit',
      {
        raw: JSON.stringify({
          problemId: 'lru-cache',
          language: 'typescript',
          files: [{ path: 'solution.ts', content: 'z'.repeat(3_000_000) }],
        }),
        headers: { 'content-type': 'application/json' },
      },
      413,
      /larger than the API accepts/,
    ],
    [
      'path traversal',
      {
        body: {
          problemId: 'lru-cache',
          language: 'typescript',
          files: [
            { path: 'solution.ts', content: '' },
            { path: '../../etc/passwd.ts', content: '' },
          ],
        },
      },
      422,
      /files\.1\.path/,
    ],
    [
      'an absolute path',
      { body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: '/etc/solution.ts', content: '' }] } },
      422,
      /files\.0\.path/,
    ],
    [
      'a hidden file',
      { body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: '.npmrc.json', content: '' }] } },
      422,
      /files\.0\.path/,
    ],
    ['a callback URL with another scheme', { body: { callbackUrl: 'ftp://example.com/hook' } }, 422, /callbackUrl/],
    ['a callback URL on a private address', { body: { callbackUrl: 'http://10.0.0.7/hook' } }, 422, /callbackUrl .*private address/],
    ['a callback URL on a link-local address', { body: { callbackUrl: 'http://169.254.169.254/latest/meta-data' } }, 422, /link-local/],
    ['a bad Idempotency-Key', { body: {}, headers: { 'idempotency-key': 'has spaces in it' } }, 422, /Idempotency-Key/],
    ['an unknown API key', { body: {}, headers: { authorization: 'Bearer ak_not-a-real-key' } }, 401, /unknown or revoked/],
    ['a malformed Authorization header', { body: {}, headers: { authorization: 'Token abc' } }, 401, /Bearer <api key>/],
  ];

  it.each(cases)('%s', async (_name, req, status, detail) => {
    const before = await counts();
    const body =
      req.body && !Array.isArray(req.body) && Object.keys(req.body as object).every((k) => k === 'callbackUrl')
        ? submission(req.body as Record<string, unknown>)
        : req.body;
    const res = await t.request('POST', '/v1/submissions', {
      ...(req.raw !== undefined ? { raw: req.raw } : { body: body && Object.keys(body).length === 0 ? submission() : body }),
      headers: { ...client(), ...req.headers },
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.stringMatching(/^\/docs#error-/) });
    expect(res.body.detail).toMatch(detail);
    expect(await counts()).toEqual(before);
  });

  it('stored and enqueued nothing through all of that', async () => {
    expect(await counts()).toEqual({ submissions: 0, jobs: 0 });
  });

  it.each([
    ['GET', `/v1/submissions/${randomUUID()}`],
    ['GET', '/v1/submissions/not-a-uuid'],
    ['GET', `/v1/submissions/${randomUUID()}/events`],
    ['GET', '/v1/problems/no-such-problem'],
    ['GET', '/v1/nothing-here'],
    ['POST', `/v1/webhook-deliveries/${randomUUID()}/replay`],
  ])('%s %s → 404 problem+json', async (method, path) => {
    const res = await t.request(method, path, { headers: bearer(keyA) });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toEqual(expect.any(String));
  });

  it('rejects bad list queries and routes that need a key', async () => {
    expect((await t.request('GET', '/v1/submissions?limit=1000', { headers: bearer(keyA) })).body).toMatchObject({
      status: 422,
      errors: [{ path: 'query.limit' }],
    });
    expect((await t.request('GET', '/v1/submissions?cursor=garbage', { headers: bearer(keyA) })).status).toBe(422);
    expect((await t.request('GET', '/v1/submissions?status=done', { headers: bearer(keyA) })).status).toBe(422);
    const anon = await t.request('GET', '/v1/submissions');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('accepting submissions', () => {
  it('answers 202 with Location, stores it queued and enqueues one job keyed by its id', async () => {
    const res = await t.request('POST', '/v1/submissions', { body: submission(), headers: client() });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/submissions/${res.body.id}`);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      status: 'queued',
      problemId: 'lru-cache',
      problemVersion: (await loadProblem('lru-cache')).manifest.version,
      links: { events: `/v1/submissions/${res.body.id}/events` },
    });
    const job = await t.api.ctx.queues.grading.getJob(res.body.id);
    expect(job?.data).toEqual({ submissionId: res.body.id });
    const got = await t.request('GET', res.headers.get('location')!);
    expect(got.body).toMatchObject({ id: res.body.id, status: 'queued' });
    expect(got.body.result).toBeUndefined();
  });

  it('idempotency: same key and body → the same submission; same key, other body → 422', async () => {
    const key = randomUUID();
    const headers = { ...bearer(keyA), 'idempotency-key': key };
    const first = await t.request('POST', '/v1/submissions', { body: submission(), headers });
    const again = await t.request('POST', '/v1/submissions', { body: submission(), headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const before = await counts();
    const other = await t.request('POST', '/v1/submissions', {
      body: submission({ language: 'javascript', files: [{ path: 'solution.js', content: 'export class LRUCache {}' }] }),
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/problem\+json/);
    expect(other.body).toMatchObject({ detail: expect.stringContaining('different body'), submissionId: first.body.id });
    expect(await counts()).toEqual(before);
    const { rows } = await t.api.ctx.pool.query('SELECT id FROM submissions WHERE idempotency_key = $1', [key]);
    expect(rows).toHaveLength(1);
    // The key is scoped to the organisation: another organisation using it makes its own submission.
    const orgB = await t.request('POST', '/v1/submissions', { body: submission(), headers: { ...bearer(keyB), 'idempotency-key': key } });
    expect(orgB.status).toBe(202);
    expect(orgB.body.id).not.toBe(first.body.id);
  });

  it('concurrent requests with one idempotency key make one submission', async () => {
    const headers = { ...bearer(keyA), 'idempotency-key': randomUUID() };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.request('POST', '/v1/submissions', { body: submission(), headers })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('rate-limits anonymous submissions per client address', async () => {
    const who = client();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.request('POST', '/v1/submissions', { body: { bad: true }, headers: who })).status);
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(422));
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await t.request('POST', '/v1/submissions', { body: submission(), headers: who });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body.detail).toMatch(/at most 5 per/);
    // Another client, or an API key, is not affected.
    expect((await t.request('POST', '/v1/submissions', { body: submission(), headers: client() })).status).toBe(202);
  });
});

describe('organisation isolation', () => {
  it("one organisation never sees another's submissions", async () => {
    const mine = await t.request('POST', '/v1/submissions', { body: submission(), headers: bearer(keyA) });
    expect(mine.status).toBe(202);
    const id = mine.body.id as string;
    expect((await t.request('GET', `/v1/submissions/${id}`, { headers: bearer(keyA) })).status).toBe(200);
    expect((await t.request('GET', `/v1/submissions/${id}`, { headers: bearer(keyB) })).status).toBe(404);
    expect((await t.request('GET', `/v1/submissions/${id}`)).status).toBe(404);
    expect((await t.request('GET', `/v1/submissions/${id}/events`, { headers: bearer(keyB) })).status).toBe(404);
    const listB = await t.request('GET', '/v1/submissions?limit=100', { headers: bearer(keyB) });
    expect(listB.body.items.map((s: { id: string }) => s.id)).not.toContain(id);
    const listA = await t.request('GET', '/v1/submissions?limit=100', { headers: bearer(keyA) });
    expect(listA.body.items.map((s: { id: string }) => s.id)).toContain(id);
  });

  it('lists newest first with cursor pagination and filters', async () => {
    const all = (await t.request('GET', '/v1/submissions?limit=100', { headers: bearer(keyA) })).body.items.map(
      (s: { id: string }) => s.id,
    );
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/submissions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: bearer(keyA) },
      );
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await t.request('GET', '/v1/submissions?status=completed', { headers: bearer(keyA) })).body.items).toEqual([]);
    expect(
      (await t.request('GET', '/v1/submissions?problemId=lru-cache&status=queued&limit=100', { headers: bearer(keyA) })).body.items,
    ).toHaveLength(all.length);
  });

  it('webhook endpoints belong to their organisation', async () => {
    const refused = await t.request('POST', '/v1/webhook-endpoints', { body: { url: 'http://192.168.0.10/hook' }, headers: bearer(keyA) });
    expect(refused.status).toBe(422);
    const made = await t.request('POST', '/v1/webhook-endpoints', {
      body: { url: 'http://127.0.0.1:9/hook', description: 'ATS' },
      headers: bearer(keyA),
    });
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^whsec_/);
    expect((await t.request('GET', `/v1/webhook-endpoints/${made.body.id}`, { headers: bearer(keyB) })).status).toBe(404);
    expect((await t.request('GET', '/v1/webhook-endpoints', { headers: bearer(keyB) })).body.items).toEqual([]);
    expect((await t.request('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { headers: bearer(keyB) })).status).toBe(404);
    expect((await t.request('GET', `/v1/webhook-endpoints/${made.body.id}`, { headers: bearer(keyA) })).body.secret).toBe(made.body.secret);
    expect((await t.request('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { headers: bearer(keyA) })).status).toBe(204);
    expect((await t.request('POST', '/v1/webhook-endpoints', { body: { url: 'http://127.0.0.1:9/' } })).status).toBe(401);
  });
});

describe('problems', () => {
  it('lists problems and shows one without hidden tests, suites source or solutions', async () => {
    const list = await t.request('GET', '/v1/problems');
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain('lru-cache');
    const res = await t.request('GET', '/v1/problems/lru-cache');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'lru-cache',
      statement: expect.any(String),
      starter: { typescript: { path: 'solution.ts', content: expect.any(String) } },
    });
    expect(res.body.sampleTests.length).toBeGreaterThan(0);
    for (const k of ['suitesBundle', 'reference', 'solutions', 'knownSubmissions', 'dir']) expect(res.body).not.toHaveProperty(k);
    const pkg = await loadProblem('lru-cache');
    const hidden = (await importSuitesBundle(pkg.suitesBundle)).correctness.filter((x) => !x.sample).map((x) => x.name);
    expect(hidden.length).toBeGreaterThan(0);
    for (const name of hidden) expect(res.text).not.toContain(name);
    expect(res.text).not.toContain(reference.slice(0, 200));
  });
});

describe('operations', () => {
  it('healthz, readyz, metrics, openapi and docs', async () => {
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/readyz');
    // No worker consumes this test's queue: PostgreSQL and Redis are fine, the workers check says why it is not ready.
    expect(ready.body.checks.postgres).toEqual({ ok: true });
    expect(ready.body.checks.redis).toEqual({ ok: true });
    expect(ready.status).toBe(503);
    expect(ready.body.checks.workers.detail).toMatch(/no grading worker/);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toContain('assay_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/assay_queue_jobs\{queue="grading",state="waiting"\} \d+/);
    expect(metrics.text).toContain('assay_grading_duration_seconds');
    const doc = await t.request('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/submissions',
        '/v1/submissions/{id}',
        '/v1/submissions/{id}/events',
        '/v1/problems',
        '/v1/webhook-deliveries/{id}/replay',
      ]),
    );
    expect(doc.body.components.schemas.SubmissionRequest.properties.files).toBeDefined();
    const docs = await t.request('GET', '/docs');
    expect(docs.text).toContain('<code>/v1/submissions</code>');
    expect(docs.headers.get('x-request-id')).toMatch(/.+/);
    const page = await t.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/html/);
  });

  it('the queue dashboard needs the admin credentials', async () => {
    expect((await t.request('GET', '/admin/queues')).status).toBe(401);
    const wrong = Buffer.from('admin:nope').toString('base64');
    expect((await t.request('GET', '/admin/queues', { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
    const right = Buffer.from('admin:correct-horse-battery').toString('base64');
    const ok = await t.request('GET', '/admin/queues', { headers: { authorization: `Basic ${right}` } });
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/<html/i);
  });
});
