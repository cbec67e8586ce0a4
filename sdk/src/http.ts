/**
 * Service problems: the candidate's HTTP server, reached through `ctx.http`, and the checks tests
 * make on its answers. Failures say what was sent, what was expected and what came back.
 */
import { concurrently } from './concurrency';
import { AssertionFailure } from './errors';
import { fail } from './expect';
import { deepEqual, show } from './values';

/** The candidate's HTTP server, listening on loopback in the sandbox (the driver's client). */
export interface HttpClient {
  readonly baseUrl: string;
  request(req: HttpRequest): Promise<HttpResponse>;
}
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}
export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON when the response says so, else the text. */
  body: unknown;
  text: string;
}

/** One verb per method: `api.post('/links', { url })`. */
export interface Rest {
  get(path: string, headers?: Record<string, string>): Promise<HttpResponse>;
  delete(path: string, headers?: Record<string, string>): Promise<HttpResponse>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
  put(path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
  patch(path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
}

export function rest(http: HttpClient): Rest {
  const send = (method: HttpRequest['method'], path: string, body: unknown, headers?: Record<string, string>) =>
    http.request({ method, path, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
  return {
    get: (path, headers) => send('GET', path, undefined, headers),
    delete: (path, headers) => send('DELETE', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body, headers),
    put: (path, body, headers) => send('PUT', path, body, headers),
    patch: (path, body, headers) => send('PATCH', path, body, headers),
  };
}

/** `409 {"error":…}`: the status and the start of the body, for messages. */
export function describeResponse(res: HttpResponse, max = 300): string {
  return `${res.status} ${res.text.slice(0, max)}`.trimEnd();
}

export function expectStatus(res: HttpResponse, status: number, what: string): void {
  if (res.status !== status) fail(`${what}: expected status ${status}, got ${describeResponse(res)}`, status, res.status);
}

/** A header's value, exactly or matching a pattern; `undefined` asserts it is absent. */
export function expectHeader(res: HttpResponse, name: string, expected: string | RegExp | undefined, what: string): void {
  const got = res.headers[name.toLowerCase()];
  const ok = expected instanceof RegExp ? got !== undefined && expected.test(got) : got === expected;
  if (!ok)
    fail(
      `${what}: expected header ${name} ${expected === undefined ? 'absent' : show(String(expected))}, got ${show(got)}`,
      String(expected),
      got,
    );
}

/** The parsed JSON body, after checking the response says it is JSON and it parsed. */
export function expectJson<T = unknown>(res: HttpResponse, what: string): T {
  const type = res.headers['content-type'] ?? '';
  if (!type.includes('json'))
    fail(
      `${what}: expected a JSON response, got content-type ${show(type || '(none)')}: ${describeResponse(res, 200)}`,
      'application/json',
      type,
    );
  if (typeof res.body === 'string' && res.text.length > 0)
    fail(`${what}: the body is not valid JSON: ${res.text.slice(0, 200)}`, 'JSON', res.text);
  return res.body as T;
}

/** Status, then the whole JSON body (`deepEqual`). */
export function expectJsonBody(res: HttpResponse, status: number, expected: unknown, what: string): void {
  expectStatus(res, status, what);
  const body = expectJson(res, what);
  if (!deepEqual(body, expected)) throw new AssertionFailure(`${what}: expected body ${show(expected)}, got ${show(body)}`, expected, body);
}

/**
 * The `{ "error": { "code", "message", ... } }` body the service problems answer errors with:
 * checks the status, the code and a non-empty message, and returns the error object for more.
 */
export function expectErrorBody(res: HttpResponse, status: number, code: string, what: string): Record<string, unknown> {
  expectStatus(res, status, what);
  const err = (res.body as { error?: unknown } | null)?.error;
  if (typeof err !== 'object' || err === null)
    fail(`${what}: expected a JSON body { "error": { "code", "message" } }, got ${res.text.slice(0, 200) || '(empty body)'}`);
  const e = err as Record<string, unknown>;
  if (e.code !== code) fail(`${what}: error.code: expected ${show(code)}, got ${show(e.code)}`, code, e.code);
  if (typeof e.message !== 'string' || e.message.length === 0)
    fail(`${what}: error.message should be a non-empty string, got ${show(e.message)}`, 'a non-empty string', e.message);
  return e;
}

/** How many responses had each status: `{ 201: 1, 409: 39 }`. */
export function countStatuses(responses: readonly HttpResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Every response has `status`; otherwise says how many did not, with the first one. */
export function expectEveryStatus(responses: readonly HttpResponse[], status: number, what: string): void {
  const bad = responses.filter((r) => r.status !== status);
  if (bad.length)
    fail(
      `${bad.length} of ${responses.length} ${what} did not answer ${status} (e.g. ${describeResponse(bad[0]!, 200)})`,
      { [status]: responses.length },
      countStatuses(responses),
    );
}

/** Sends `count` requests, at most `concurrency` in flight (all at once by default); responses in order. */
export function load(
  http: HttpClient,
  count: number,
  request: (i: number) => HttpRequest,
  concurrency = Infinity,
): Promise<HttpResponse[]> {
  return concurrently(count, (i) => http.request(request(i)), concurrency);
}

/**
 * A client that retries requests that failed at the network level (never one that got an
 * answer). For latency set-up, which runs outside any test: one dropped connection there would
 * abort the whole grading.
 */
export function retrying(http: HttpClient, sleep: (ms: number) => Promise<void>, attempts = 3, backoffMs = 50): HttpClient {
  return {
    baseUrl: http.baseUrl,
    async request(req) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await http.request(req);
        } catch (e) {
          if (attempt >= attempts) throw e;
          await sleep(backoffMs * attempt);
        }
      }
    },
  };
}
