import {
  defineSuites,
  expect,
  fail,
  sample,
  test,
  type HttpLatencyDef,
  type HttpRequest,
  type HttpResponse,
  type Rng,
  type TestContext,
} from '@assay/sdk';

// One server process serves every test: tests use URLs and custom codes drawn from the seeded
// rng, and only look at links they created.

type Http = TestContext['http'];

interface Link {
  code: string;
  url: string;
  visits: number;
}

const GENERATED = /^[0-9A-Za-z]{7}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function customCode(rng: Rng, length = 12): string {
  return Array.from({ length }, () => rng.pick([...BASE62])).join('');
}

function someUrl(rng: Rng): string {
  const host = rng.pick(['example.com', 'docs.example.org', 'shop.example.net', 'blog.example.io']);
  const path = Array.from({ length: rng.int(1, 4) }, () => rng.pick(['guides', 'posts', 'items', 'a', 'b-c', 'v2', 'en', 'search'])).join(
    '/',
  );
  return `https://${host}/${path}/${rng.int(1, 1_000_000_000)}?ref=${rng.int(1, 999)}`;
}

function expectStatus(res: HttpResponse, status: number, what: string): void {
  if (res.status !== status) fail(`${what}: expected status ${status}, got ${res.status} ${res.text.slice(0, 300)}`, status, res.status);
}

function expectError(res: HttpResponse, status: number, code: string, what: string): void {
  expectStatus(res, status, what);
  const err = (res.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof err !== 'object' || err === null)
    fail(`${what}: expected a JSON body { "error": { "code", "message" } }, got ${res.text.slice(0, 200) || '(empty body)'}`);
  expect(err.code, `${what}: error.code`).toBe(code);
  expect(typeof err.message === 'string' && err.message.length > 0, `${what}: error.message is a non-empty string`).toBe(true);
}

function post(http: Http, body: unknown): Promise<HttpResponse> {
  return http.request({ method: 'POST', path: '/links', body });
}

async function shorten(http: Http, body: Record<string, unknown>): Promise<Link> {
  const res = await post(http, body);
  expectStatus(res, 201, `POST /links ${JSON.stringify(body).slice(0, 120)}`);
  const link = res.body as Link;
  if (typeof link?.code !== 'string') fail(`POST /links: expected { code, url, visits }, got ${res.text.slice(0, 200)}`);
  return link;
}

async function expectRedirect(http: Http, code: string, url: string, what = `GET /${code}`): Promise<void> {
  const res = await http.request({ method: 'GET', path: `/${code}` });
  expectStatus(res, 302, what);
  expect(res.headers.location, `${what}: Location`).toBe(url);
}

async function stats(http: Http, code: string): Promise<Link> {
  const res = await http.request({ method: 'GET', path: `/links/${code}` });
  expectStatus(res, 200, `GET /links/${code}`);
  return res.body as Link;
}

const view = (l: unknown) => {
  const o = (l ?? {}) as Record<string, unknown>;
  return { code: o.code, url: o.url, visits: o.visits };
};

// ---------------------------------------------------------------------------------------------

const correctness = [
  sample('shortens a URL: 201 with a 7-character code, then GET /{code} redirects with 302', async ({ http }) => {
    const url = 'https://example.com/docs/getting-started?lang=en';
    const res = await post(http, { url });
    expectStatus(res, 201, 'POST /links');
    expect(String(res.headers['content-type']).includes('application/json'), 'content-type is JSON').toBe(true);
    const link = res.body as Link;
    expect(GENERATED.test(String(link.code)), `code ${JSON.stringify(link.code)} is 7 characters from 0-9, A-Z, a-z`).toBe(true);
    expect(view(link), 'created link').toEqual({ code: link.code, url, visits: 0 });
    expect(res.headers.location, 'Location').toBe(`/links/${link.code}`);
    await expectRedirect(http, link.code, url);
    expect(view(await stats(http, link.code)), 'GET /links/{code} after one visit').toEqual({ code: link.code, url, visits: 1 });
  }),

  sample('unknown codes are 404 with the error body', async ({ http }) => {
    expectError(await http.request({ method: 'GET', path: '/no-such-code' }), 404, 'not_found', 'GET /no-such-code');
    expectError(await http.request({ method: 'GET', path: '/links/no-such-code' }), 404, 'not_found', 'GET /links/no-such-code');
  }),

  sample('rejects URLs that are not absolute http(s) URLs with 422', async ({ http }) => {
    for (const url of ['not a url', 'ftp://example.com/file.txt', 'example.com/no-scheme'])
      expectError(await post(http, { url }), 422, 'validation_failed', `POST /links {"url":"${url}"}`);
  }),

  sample('a custom code is used as given; taking it again is 409', async ({ http, rng }) => {
    const code = `launch${customCode(rng, 6)}`;
    const first = await shorten(http, { url: 'https://example.com/launch', code });
    expect(view(first), 'created link').toEqual({ code, url: 'https://example.com/launch', visits: 0 });
    expectError(await post(http, { url: 'https://example.com/other', code }), 409, 'code_taken', `POST /links with the taken code ${code}`);
    await expectRedirect(http, code, 'https://example.com/launch');
  }),

  // ------------------------------------------------------------------ codes
  test('generated codes are 7 base62 characters, distinct, one per POST even for the same URL', async ({ http, rng }) => {
    const url = someUrl(rng);
    const made: Link[] = [];
    for (let i = 0; i < 40; i++) made.push(await shorten(http, { url: i % 2 ? url : someUrl(rng) }));
    for (const l of made)
      if (!GENERATED.test(l.code)) fail(`generated code ${JSON.stringify(l.code)} is not 7 characters from 0-9, A-Z, a-z`);
    expect(new Set(made.map((l) => l.code)).size, 'distinct codes among 40 links').toBe(40);
    for (const l of made) await expectRedirect(http, l.code, l.url);
  }),

  test('custom codes: 4 to 16 base62 characters, case-sensitive', async ({ http, rng }) => {
    const four = customCode(rng, 4);
    const sixteen = customCode(rng, 16);
    const lower = `promo${customCode(rng, 5)}`.toLowerCase();
    const upper = lower.toUpperCase();
    const urls = [someUrl(rng), someUrl(rng), someUrl(rng), someUrl(rng)];
    const codes = [four, sixteen, lower, upper];
    for (let i = 0; i < 4; i++)
      expect(view(await shorten(http, { url: urls[i], code: codes[i] })), `created with code ${codes[i]}`).toEqual({
        code: codes[i],
        url: urls[i],
        visits: 0,
      });
    for (let i = 0; i < 4; i++) await expectRedirect(http, codes[i]!, urls[i]!);
    expectError(await http.request({ method: 'GET', path: `/P${lower.slice(1)}` }), 404, 'not_found', 'a code differing only in case');
  }),

  test('invalid custom codes are 422', async ({ http, rng }) => {
    for (const code of ['abc', customCode(rng, 17), 'ab-cd', 'ab_cd12', 'héllo12', 'with space', 12345])
      expectError(await post(http, { url: someUrl(rng), code }), 422, 'validation_failed', `POST /links with code ${JSON.stringify(code)}`);
  }),

  test('a generated code cannot be taken again as a custom code', async ({ http, rng }) => {
    const link = await shorten(http, { url: someUrl(rng) });
    expectError(
      await post(http, { url: 'https://example.com/hijack', code: link.code }),
      409,
      'code_taken',
      'POST /links with an existing generated code',
    );
    await expectRedirect(http, link.code, link.url);
  }),

  test('validation comes before the conflict check', async ({ http, rng }) => {
    const code = customCode(rng, 10);
    await shorten(http, { url: someUrl(rng), code });
    expectError(await post(http, { url: 'nope', code }), 422, 'validation_failed', 'a taken code with an invalid url');
  }),

  // ------------------------------------------------------------------ urls
  test('URL validation: rejects what is not an absolute http(s) URL of printable ASCII', async ({ http }) => {
    const long = `https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`;
    const cases: unknown[] = [
      undefined,
      42,
      null,
      '',
      '/relative/path',
      'example.com',
      'javascript:alert(1)',
      'mailto:ada@example.com',
      'ftp://files.example.com/a.zip',
      'http://',
      'https://exa mple.com/',
      'https://example.com/ü',
      'https://example.com/\ttab',
      long,
    ];
    for (const url of cases) {
      const body = url === undefined ? {} : { url };
      expectError(await post(http, body), 422, 'validation_failed', `POST /links ${JSON.stringify(body).slice(0, 60)}`);
    }
  }),

  test('URL validation: accepts http and https URLs with ports, paths, queries, fragments; up to 2048 characters', async ({ http }) => {
    const max = `https://example.com/${'b'.repeat(2048 - 'https://example.com/'.length)}`;
    for (const url of ['http://localhost:3000/x', 'https://sub.example.co.uk:8443/a/b?c=d&e=%20f#frag', 'http://127.0.0.1/', max]) {
      const link = await shorten(http, { url });
      expect(link.url, 'url in the answer').toBe(url);
      await expectRedirect(http, link.code, url);
    }
  }),

  test('redirects to the URL exactly as it was submitted', async ({ http }) => {
    for (const url of [
      'https://example.com',
      'https://EXAMPLE.com/Mixed/Case',
      'http://example.com/a/../b?x=1&x=2',
      'https://example.com/path#section-2',
    ]) {
      const link = await shorten(http, { url });
      await expectRedirect(http, link.code, url, `redirect for ${url}`);
    }
  }),

  test('a body that is not a JSON object is 422', async ({ http }) => {
    expectError(
      await http.request({
        method: 'POST',
        path: '/links',
        headers: { 'content-type': 'application/json' },
        body: '{"url": "https://example.com',
      }),
      422,
      'validation_failed',
      'POST malformed JSON',
    );
    expectError(await post(http, ['https://example.com']), 422, 'validation_failed', 'POST a JSON array');
    expectError(
      await http.request({
        method: 'POST',
        path: '/links',
        headers: { 'content-type': 'application/json' },
        body: '"https://example.com"',
      }),
      422,
      'validation_failed',
      'POST a JSON string',
    );
  }),

  // ------------------------------------------------------------------ stats and routes
  test('visits count redirects only', async ({ http, rng }) => {
    const a = await shorten(http, { url: someUrl(rng) });
    const b = await shorten(http, { url: someUrl(rng) });
    for (let i = 0; i < 3; i++) await expectRedirect(http, a.code, a.url);
    await expectRedirect(http, b.code, b.url);
    expect(view(await stats(http, a.code)), 'stats of a').toEqual({ code: a.code, url: a.url, visits: 3 });
    expect(view(await stats(http, a.code)), 'stats of a, read again').toEqual({ code: a.code, url: a.url, visits: 3 });
    expect(view(await stats(http, b.code)), 'stats of b').toEqual({ code: b.code, url: b.url, visits: 1 });
  }),

  test('unknown routes and codes are 404', async ({ http, rng }) => {
    expectError(
      await http.request({ method: 'GET', path: `/${customCode(rng, 16)}` }),
      404,
      'not_found',
      'GET an unknown 16-character code',
    );
    expectError(await http.request({ method: 'GET', path: `/links/${customCode(rng, 16)}` }), 404, 'not_found', 'GET /links/<unknown>');
    expectError(await http.request({ method: 'GET', path: '/' }), 404, 'not_found', 'GET /');
    expectError(await http.request({ method: 'GET', path: '/links/a/b' }), 404, 'not_found', 'GET /links/a/b');
  }),
];

// ---------------------------------------------------------------------------------------------

const stress = [
  test(
    '300 concurrent creates: distinct codes, each redirecting to its own URL',
    async ({ http, rng }) => {
      const urls = Array.from({ length: 300 }, (_, i) => `${someUrl(rng)}&n=${i}`);
      const res = await Promise.all(urls.map((url) => post(http, { url })));
      const bad = res.filter((r) => r.status !== 201);
      if (bad.length)
        fail(`${bad.length} of 300 concurrent creates did not answer 201 (e.g. ${bad[0]!.status} ${bad[0]!.text.slice(0, 200)})`);
      const codes = res.map((r) => (r.body as Link).code);
      for (const c of codes)
        if (!GENERATED.test(String(c))) fail(`generated code ${JSON.stringify(c)} is not 7 characters from 0-9, A-Z, a-z`);
      const distinct = new Set(codes).size;
      if (distinct !== 300) fail(`300 concurrent creates gave only ${distinct} distinct codes`);
      const hops = await Promise.all(codes.map((c) => http.request({ method: 'GET', path: `/${c}` })));
      const wrong = hops.map((h, i) => [h, i] as const).filter(([h, i]) => h.status !== 302 || h.headers.location !== urls[i]);
      if (wrong.length)
        fail(
          `${wrong.length} of 300 codes do not redirect to their own URL (e.g. /${codes[wrong[0]![1]]} → ${wrong[0]![0].status} ${wrong[0]![0].headers.location ?? ''})`,
        );
    },
    { timeoutMs: 30_000 },
  ),

  test(
    'one custom code requested 40 times at once: one 201, 39 × 409',
    async ({ http, rng }) => {
      for (let round = 0; round < 3; round++) {
        const code = customCode(rng, 11);
        const urls = Array.from({ length: 40 }, (_, i) => `https://example.com/race/${round}/${i}`);
        const res = await Promise.all(urls.map((url) => post(http, { url, code })));
        const won = res.map((r, i) => [r.status, i] as const).filter(([s]) => s === 201);
        const lost = res.filter((r) => r.status === 409).length;
        if (won.length !== 1 || lost !== 39)
          fail(
            `round ${round}: 40 creates of code ${code} at once: expected one 201 and 39 × 409, got ${won.length} × 201 and ${lost} × 409`,
          );
        await expectRedirect(http, code, urls[won[0]![1]]!, `GET /${code} after the race`);
      }
    },
    { timeoutMs: 20_000 },
  ),

  test(
    'concurrent redirects are all counted',
    async ({ http, rng }) => {
      const links = await Promise.all(Array.from({ length: 10 }, () => shorten(http, { url: someUrl(rng) })));
      const hits = links.flatMap((l, i) => Array.from({ length: 10 + 10 * i }, () => l));
      const res = await Promise.all(rng.shuffle(hits).map((l) => http.request({ method: 'GET', path: `/${l.code}` })));
      const bad = res.filter((r) => r.status !== 302).length;
      if (bad) fail(`${bad} of ${res.length} concurrent redirects did not answer 302`);
      const counted = await Promise.all(links.map((l) => stats(http, l.code)));
      expect(
        counted.map((s) => s.visits),
        'visits per link',
      ).toEqual(links.map((_, i) => 10 + 10 * i));
    },
    { timeoutMs: 20_000 },
  ),
];

// ---------------------------------------------------------------------------------------------

const SEEDED = 1000;

/** Set-up runs outside any test: retry a request that failed at the network level. */
async function sendRetrying(ctx: TestContext, req: HttpRequest): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.http.request(req);
    } catch (e) {
      if (attempt >= 3) throw e;
      await ctx.sleep(50 * attempt);
    }
  }
}

const redirectLatency: HttpLatencyDef = {
  operation: 'GET /{code}',
  setup: async (ctx) => {
    const codes: string[] = [];
    for (let i = 0; i < SEEDED; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, SEEDED - i) }, () =>
          sendRetrying(ctx, {
            method: 'POST',
            path: '/links',
            // Long tracking URLs, as marketing links are: about 1,000 characters each.
            body: {
              url: `${someUrl(ctx.rng)}&utm_source=newsletter&utm_medium=email&utm_campaign=${customCode(ctx.rng, 24)}&utm_content=${customCode(ctx.rng, 880)}`,
            },
          }),
        ),
      );
      for (const r of batch) {
        expectStatus(r, 201, 'POST /links (latency set-up)');
        codes.push((r.body as Link).code);
      }
    }
    return codes;
  },
  request: (state, _i, rng): HttpRequest => ({ method: 'GET', path: `/${rng.pick(state as string[])}` }),
  requests: 600,
  concurrency: 16,
};

export default defineSuites({ correctness, stress, latency: [redirectLatency] });
