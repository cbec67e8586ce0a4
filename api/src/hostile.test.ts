/**
 * What the API answers to specific hostile requests (api.fuzz.test.ts checks the general
 * properties over many more): the status, the header and a detail naming the field or the fix.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@assay/platform';
import { startTestApi, type TestApi } from './testing';

let t: TestApi;
let auth: Record<string, string>;
const sub = (over: Record<string, unknown> = {}) => ({
  problemId: 'lru-cache',
  language: 'typescript',
  files: [{ path: 'solution.ts', content: 'export class LRUCache {}' }],
  ...over,
});
const b64 = (s: string) => Buffer.from(s).toString('base64url');

async function stored(): Promise<number> {
  const { rows } = await t.api.ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM submissions');
  return Number(rows[0]!.n);
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, detail: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  expect(res.body.detail).toMatch(detail);
}

beforeAll(async () => {
  t = await startTestApi('api-hostile', { ALLOW_LOOPBACK_CALLBACKS: 'false', RATE_LIMIT_ANONYMOUS: '0' });
  auth = { authorization: `Bearer ${(await createApiKey(t.api.ctx.pool, 'Hostile Org')).key}` };
});
afterAll(async () => {
  await t?.close();
});

describe('strings PostgreSQL cannot store: a 422 naming the field, nothing stored', () => {
  it.each([
    ['a NUL in file content', sub({ files: [{ path: 'solution.ts', content: 'a\u0000b' }] }), 'files.0.content', /NUL/],
    [
      'a lone surrogate in file content',
      sub({ files: [{ path: 'solution.ts', content: 'x\ud800' }] }),
      'files.0.content',
      /lone surrogate/,
    ],
    ['a NUL in a file path', sub({ files: [{ path: 'solution.ts\u0000', content: '' }] }), 'files.0.path', /NUL/],
    ['a NUL in the callback URL', sub({ callbackUrl: 'https://example.com/\u0000' }), 'callbackUrl', /NUL/],
    ['a lone surrogate in the callback URL', sub({ callbackUrl: 'https://example.com/\udc00' }), 'callbackUrl', /lone surrogate/],
  ])('%s', async (_name, body, path, why) => {
    const before = await stored();
    const res = await t.request('POST', '/v1/submissions', { body });
    expectProblem(res, 422, why);
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(why) });
    expect(await stored()).toBe(before);
  });

  it('a NUL in a webhook endpoint description or URL', async () => {
    for (const [field, body] of [
      ['description', { url: 'https://example.com/hook', description: 'ATS\u0000' }],
      ['url', { url: 'https://example.com/\u0000' }],
    ] as const) {
      const res = await t.request('POST', '/v1/webhook-endpoints', { body, headers: auth });
      expectProblem(res, 422, /NUL/);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect((await t.request('GET', '/v1/webhook-endpoints', { headers: auth })).body.items).toEqual([]);
  });
});

describe('malformed requests: 4xx problem+json', () => {
  it.each(['/v1/submissions/%E0%A4%A', '/v1/submissions/%E0%A4%A/events', '/v1/problems/%zz', '/problems/%E0%A4%A', '/submissions/%'])(
    'bad percent-encoding in %s is a 400',
    async (path) => {
      expectProblem(await t.request('GET', path, { headers: auth }), 400, /decode/);
    },
  );

  it('a garbage or truncated gzip body is a 400 saying so, not a 500', async () => {
    for (const body of [Buffer.from('definitely not gzip'), gzipSync(JSON.stringify(sub())).subarray(0, 15)]) {
      const res = await fetch(`${t.url}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      });
      expectProblem({ status: res.status, headers: res.headers, body: await res.json() }, 400, /not valid gzip data/);
    }
  });

  it('tampered cursors are a 422 on query.cursor', async () => {
    for (const cursor of [b64('1|3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f'), b64('2020|3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f'), '!!', '%00']) {
      const res = await t.request('GET', `/v1/submissions?cursor=${cursor}`, { headers: auth });
      expectProblem(res, 422, /cursor/);
      expect(res.body.errors[0].path).toBe('query.cursor');
    }
  });

  it('a JSON route refuses other bodies with 415; a bodyless one takes none or JSON', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', ...auth };
    expectProblem(await t.request('POST', '/v1/webhook-endpoints', { raw: 'url=x', headers: form }), 415, /application\/json/);
    expectProblem(await t.request('POST', '/v1/submissions', { raw: 'x', headers: { 'content-type': 'text/plain' } }), 415, /text\/plain/);
    const id = '3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f';
    expectProblem(await t.request('POST', `/v1/webhook-deliveries/${id}/replay`, { raw: 'x', headers: form }), 415, /JSON/);
    expect((await t.request('POST', `/v1/webhook-deliveries/${id}/replay`, { headers: auth })).status).toBe(404);
    expect((await t.request('DELETE', `/v1/webhook-endpoints/${id}`, { body: {}, headers: auth })).status).toBe(404);
  });

  it('the refusal of a loopback callback names the variable that allows it', async () => {
    const res = await t.request('POST', '/v1/submissions', { body: sub({ callbackUrl: 'http://127.0.0.1:9/cb' }) });
    expectProblem(res, 422, /loopback.*ALLOW_LOOPBACK_CALLBACKS=true/);
  });
});

describe('methods', () => {
  it.each([
    ['DELETE', '/v1/problems', 'GET, HEAD, OPTIONS'],
    ['PUT', '/v1/submissions', 'GET, HEAD, OPTIONS, POST'],
    ['POST', '/v1/submissions/3f2b8a1e-8c4f-4b7a-9d2e-1a2b3c4d5e6f', 'GET, HEAD, OPTIONS'],
    ['PUT', '/v1/webhook-endpoints/x', 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['POST', '/docs', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/openapi.json', 'GET, HEAD, OPTIONS'],
    ['POST', '/problems/lru-cache', 'GET, HEAD, OPTIONS'],
    ['PUT', '/', 'GET, HEAD, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/assets/app.js', 'GET, HEAD, OPTIONS'],
  ])('%s %s is a 405 with Allow: %s', async (method, path, allow) => {
    const res = await t.request(method, path, { headers: auth });
    expectProblem(res, 405, new RegExp(`${method} is not allowed`));
    expect(res.headers.get('allow')).toBe(allow);
  });

  it('OPTIONS answers the Allow header', async () => {
    const res = await t.request('OPTIONS', '/v1/submissions');
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
  });
});

describe("Node's parser rejections", () => {
  const raw = (headers: Record<string, string>) =>
    new Promise<{ status: number; type: string; body: any }>((resolve, reject) => {
      const url = new URL(t.url);
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/v1/problems', headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('oversized headers are a 431 problem+json', async () => {
    const res = await raw({ 'x-big': 'x'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/headers are larger/);
  });

  it('an Expect other than 100-continue is a 417 problem+json', async () => {
    const res = await raw({ expect: 'teapot' });
    expect(res.status).toBe(417);
    expect(res.body.detail).toMatch(/Expect: teapot/);
  });
});
