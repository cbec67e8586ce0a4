import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionFailure } from './errors';
import {
  countStatuses,
  expectErrorBody,
  expectEveryStatus,
  expectHeader,
  expectJson,
  expectJsonBody,
  expectStatus,
  load,
  rest,
  retrying,
  type HttpClient,
} from './http';
import { loopbackClient } from './testing';

let server: http.Server;
let client: HttpClient;
let inFlight = 0;
let mostInFlight = 0;

/** A tiny service: JSON echo, errors in the service problems' shape, a slow route, a broken one. */
function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(value));
    };
    if (req.url === '/echo' && req.method === 'POST') return json(201, { got: JSON.parse(body) }, { location: '/echo/1' });
    if (req.url === '/missing') return json(404, { error: { code: 'not_found', message: 'no such thing' } });
    if (req.url === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    if (req.url === '/bad-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"nope');
    if (req.url === '/slow') {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      return void setTimeout(() => {
        inFlight--;
        json(200, { ok: true });
      }, 5);
    }
    json(404, { error: { code: 'not_found', message: '' } });
  });
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = loopbackClient((server.address() as AddressInfo).port);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function failure(run: () => unknown): AssertionFailure {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AssertionFailure);
    return e as AssertionFailure;
  }
  throw new Error('expected an AssertionFailure');
}

describe('HTTP expectations against a real server', () => {
  it('status, header and JSON body of a good answer', async () => {
    const res = await rest(client).post('/echo', { a: 1 });
    expectStatus(res, 201, 'POST /echo');
    expectHeader(res, 'Location', '/echo/1', 'POST /echo');
    expectHeader(res, 'content-type', /json/, 'POST /echo');
    expectHeader(res, 'x-missing', undefined, 'POST /echo');
    expect(expectJson<{ got: unknown }>(res, 'POST /echo').got).toEqual({ a: 1 });
    expectJsonBody(res, 201, { got: { a: 1 } }, 'POST /echo');
  });

  it('a wrong status says what came back', async () => {
    const res = await rest(client).get('/missing');
    const e = failure(() => expectStatus(res, 200, 'GET /missing'));
    expect(e.message).toBe('GET /missing: expected status 200, got 404 {"error":{"code":"not_found","message":"no such thing"}}');
    expect([e.expected, e.actual]).toEqual([200, 404]);
  });

  it('a wrong header or body says expected and actual', async () => {
    const res = await rest(client).post('/echo', { a: 1 });
    const h = failure(() => expectHeader(res, 'location', '/echo/2', 'POST /echo'));
    expect(h.message).toBe('POST /echo: expected header location "/echo/2", got "/echo/1"');
    const b = failure(() => expectJsonBody(res, 201, { got: { a: 2 } }, 'POST /echo'));
    expect([b.expected, b.actual]).toEqual([{ got: { a: 2 } }, { got: { a: 1 } }]);
  });

  it('error bodies in the { error: { code, message } } shape', async () => {
    const res = await rest(client).get('/missing');
    expect(expectErrorBody(res, 404, 'not_found', 'GET /missing').message).toBe('no such thing');
    expect(failure(() => expectErrorBody(res, 404, 'gone', 'GET /missing')).message).toBe(
      'GET /missing: error.code: expected "gone", got "not_found"',
    );
    const empty = await rest(client).get('/other');
    expect(failure(() => expectErrorBody(empty, 404, 'not_found', 'GET /other')).message).toMatch(
      /error.message should be a non-empty string/,
    );
    const text = await rest(client).get('/text');
    expect(failure(() => expectErrorBody(text, 200, 'x', 'GET /text')).message).toBe(
      'GET /text: expected a JSON body { "error": { "code", "message" } }, got hello',
    );
  });
});

describe('expectJson', () => {
  it('refuses text and unparsable JSON', async () => {
    const text = await rest(client).get('/text');
    expect(failure(() => expectJson(text, 'GET /text')).message).toBe(
      'GET /text: expected a JSON response, got content-type "text/plain": 200 hello',
    );
    const bad = await rest(client).get('/bad-json');
    expect(failure(() => expectJson(bad, 'GET /bad-json')).message).toBe('GET /bad-json: the body is not valid JSON: {"nope');
  });
});

describe('load', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    mostInFlight = 0;
    const res = await load(client, 24, () => ({ method: 'GET', path: '/slow' }), 3);
    expect(res).toHaveLength(24);
    expect(mostInFlight).toBe(3);
    expectEveryStatus(res, 200, 'slow requests');
  });

  it('counts statuses and names the first odd one', async () => {
    const res = await load(client, 4, (i) => (i === 2 ? { method: 'GET', path: '/missing' } : { method: 'POST', path: '/echo', body: {} }));
    expect(countStatuses(res)).toEqual({ 201: 3, 404: 1 });
    const e = failure(() => expectEveryStatus(res, 201, 'creates'));
    expect(e.message).toMatch(/^1 of 4 creates did not answer 201 \(e\.g\. 404 \{"error"/);
  });
});

describe('retrying', () => {
  it('retries network failures, never answered requests', async () => {
    let calls = 0;
    const flaky: HttpClient = {
      baseUrl: client.baseUrl,
      request: (req) => (++calls < 3 ? Promise.reject(new Error('ECONNRESET')) : client.request(req)),
    };
    const res = await retrying(flaky, async () => undefined).request({ method: 'GET', path: '/missing' });
    expect([res.status, calls]).toEqual([404, 3]);
    calls = -10;
    await expect(retrying(flaky, async () => undefined, 2).request({ method: 'GET', path: '/' })).rejects.toThrow('ECONNRESET');
  });
});
