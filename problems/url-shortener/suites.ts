import {
  countStatuses,
  defineSuites,
  expect,
  expectErrorBody,
  expectEveryStatus,
  expectHeader,
  expectStatus,
  fail,
  pick,
  rest,
  retrying,
  sample,
  test,
  type HttpClient,
  type HttpLatencyDef,
  type HttpRequest,
  type HttpResponse,
  type Rng,
} from '@assay/sdk';

// One server process serves every test: tests use URLs and custom codes drawn from the seeded
// rng, and only look at links they created.

interface Link {
  code: string;
  url: string;
  visits: number;
}
/** The fields the statement defines (extra fields are tolerated). */
const view = (link: unknown) => pick(link, ['code', 'url', 'visits']);

const GENERATED = /^[0-9A-Za-z]{7}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const customCode = (rng: Rng, length = 12) => Array.from({ length }, () => rng.pick([...BASE62])).join('');

function someUrl(rng: Rng): string {
  const host = rng.pick(['example.com', 'docs.example.org', 'shop.example.net', 'blog.example.io']);
  const words = ['guides', 'posts', 'items', 'a', 'b-c', 'v2', 'en', 'search'];
  const path = Array.from({ length: rng.int(1, 4) }, () => rng.pick(words)).join('/');
  return `https://${host}/${path}/${rng.int(1, 1_000_000_000)}?ref=${rng.int(1, 999)}`;
}

const post = (http: HttpClient, body: unknown, headers?: Record<string, string>) => rest(http).post('/links', body, headers);
const get = (http: HttpClient, path: string) => rest(http).get(path);
const invalid = (res: HttpResponse, what: string) => expectErrorBody(res, 422, 'validation_failed', what);
const notFound = (res: HttpResponse, what: string) => expectErrorBody(res, 404, 'not_found', what);
const taken = (res: HttpResponse, what: string) => expectErrorBody(res, 409, 'code_taken', what);

const isGenerated = (code: unknown) => GENERATED.test(String(code));
function expectGenerated(code: unknown): void {
  if (!isGenerated(code))
    fail(`generated code ${JSON.stringify(code)} is not 7 characters from 0-9, A-Z, a-z`, '7 base62 characters', code);
}

async function shorten(http: HttpClient, body: Record<string, unknown>): Promise<Link> {
  const res = await post(http, body);
  expectStatus(res, 201, `POST /links ${JSON.stringify(body).slice(0, 120)}`);
  const link = res.body as Link;
  if (typeof link?.code !== 'string') fail(`POST /links: expected { code, url, visits }, got ${res.text.slice(0, 200)}`);
  return link;
}

async function expectRedirect(http: HttpClient, code: string, url: string, what = `GET /${code}`): Promise<void> {
  const res = await get(http, `/${code}`);
  expectStatus(res, 302, what);
  expectHeader(res, 'location', url, what);
}

async function stats(http: HttpClient, code: string): Promise<Link> {
  const res = await get(http, `/links/${code}`);
  expectStatus(res, 200, `GET /links/${code}`);
  return res.body as Link;
}

const correctness = [
  sample('shortens a URL: 201 with a 7-character code, then GET /{code} redirects with 302', async ({ http }) => {
    const url = 'https://example.com/docs/getting-started?lang=en';
    const res = await post(http, { url });
    expectStatus(res, 201, 'POST /links');
    expectHeader(res, 'content-type', /application\/json/, 'content-type is JSON');
    const link = res.body as Link;
    expect(link.code, 'code').toSatisfy(isGenerated, '7 characters from 0-9, A-Z, a-z');
    expect(view(link), 'created link').toEqual({ code: link.code, url, visits: 0 });
    expectHeader(res, 'location', `/links/${link.code}`, 'Location');
    await expectRedirect(http, link.code, url);
    expect(view(await stats(http, link.code)), 'GET /links/{code} after one visit').toEqual({ code: link.code, url, visits: 1 });
  }),

  sample('unknown codes are 404 with the error body', async ({ http }) => {
    notFound(await get(http, '/no-such-code'), 'GET /no-such-code');
    notFound(await get(http, '/links/no-such-code'), 'GET /links/no-such-code');
  }),

  sample('rejects URLs that are not absolute http(s) URLs with 422', async ({ http }) => {
    for (const url of ['not a url', 'ftp://example.com/file.txt', 'example.com/no-scheme'])
      invalid(await post(http, { url }), `POST /links {"url":"${url}"}`);
  }),

  sample('a custom code is used as given; taking it again is 409', async ({ http, rng }) => {
    const code = `launch${customCode(rng, 6)}`;
    const first = await shorten(http, { url: 'https://example.com/launch', code });
    expect(view(first), 'created link').toEqual({ code, url: 'https://example.com/launch', visits: 0 });
    taken(await post(http, { url: 'https://example.com/other', code }), `POST /links with the taken code ${code}`);
    await expectRedirect(http, code, 'https://example.com/launch');
  }),

  // ------------------------------------------------------------------ codes
  test('generated codes are 7 base62 characters, distinct, one per POST even for the same URL', async ({ http, rng }) => {
    const url = someUrl(rng);
    const made: Link[] = [];
    for (let i = 0; i < 40; i++) made.push(await shorten(http, { url: i % 2 ? url : someUrl(rng) }));
    for (const l of made) expectGenerated(l.code);
    expect(new Set(made.map((l) => l.code)).size, 'distinct codes among 40 links').toBe(40);
    for (const l of made) await expectRedirect(http, l.code, l.url);
  }),

  test('custom codes: 4 to 16 base62 characters, case-sensitive', async ({ http, rng }) => {
    const [four, sixteen] = [customCode(rng, 4), customCode(rng, 16)];
    const lower = `promo${customCode(rng, 5)}`.toLowerCase();
    const codes = [four, sixteen, lower, lower.toUpperCase()];
    const urls = [someUrl(rng), someUrl(rng), someUrl(rng), someUrl(rng)];
    for (const [i, code] of codes.entries())
      expect(view(await shorten(http, { url: urls[i], code })), `created with code ${code}`).toEqual({ code, url: urls[i], visits: 0 });
    for (const [i, code] of codes.entries()) await expectRedirect(http, code, urls[i]!);
    notFound(await get(http, `/P${lower.slice(1)}`), 'a code differing only in case');
  }),

  test('custom codes of every length from 4 to 16 are accepted, 7 included, with every base62 character', async ({ http, rng }) => {
    const edges = ['09AZaz', BASE62.slice(0, 16), BASE62.slice(16, 32), BASE62.slice(32, 48), BASE62.slice(46)];
    const codes = [
      ...Array.from({ length: 13 }, (_, i) => customCode(rng, i + 4)),
      ...edges.map((e) => `${e}${customCode(rng, 16 - e.length)}`),
    ];
    for (const code of codes) {
      const url = someUrl(rng);
      const what = `a custom code of ${code.length} characters (${code})`;
      expect(view(await shorten(http, { url, code })), what).toEqual({ code, url, visits: 0 });
      await expectRedirect(http, code, url, `GET /${code}`);
    }
  }),

  test('invalid custom codes are 422, and a code field that is present is never ignored', async ({ http, rng }) => {
    const neighbours = ['/', ':', '@', '[', '`', '{', '.', '%41', '\\'].map((c) => `ab${c}cd`); // around the base62 ranges
    const codes: unknown[] = [
      ...['abc', customCode(rng, 17), 'ab-cd', 'ab_cd12', 'héllo12', 'with space', ' abcd', 'abcd\n', '\u0661\u0662\u0663\u0664'],
      ...[...neighbours, 12345, null, '', 0, false, true, [], {}, ['abcd1234']],
    ];
    for (const code of codes) {
      const url = someUrl(rng);
      invalid(await post(http, { url, code }), `POST /links with code ${JSON.stringify(code)}`);
    }
  }),

  test('a generated code cannot be taken again as a custom code', async ({ http, rng }) => {
    const link = await shorten(http, { url: someUrl(rng) });
    taken(await post(http, { url: 'https://example.com/hijack', code: link.code }), 'POST /links with an existing generated code');
    await expectRedirect(http, link.code, link.url);
  }),

  test('validation comes before the conflict check', async ({ http, rng }) => {
    const code = customCode(rng, 10);
    await shorten(http, { url: someUrl(rng), code });
    invalid(await post(http, { url: 'nope', code }), 'a taken code with an invalid url');
  }),

  // ------------------------------------------------------------------ urls
  test('URL validation: rejects what is not an absolute http(s) URL of printable ASCII', async ({ http }) => {
    const long = `https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`;
    const cases: unknown[] = [
      ...[undefined, 42, null, '', '/relative/path', 'example.com', 'javascript:alert(1)', 'mailto:ada@example.com'],
      ...['ftp://files.example.com/a.zip', 'http://', 'https://exa mple.com/', 'https://example.com/ü', 'https://example.com/\ttab', long],
    ];
    for (const url of cases) {
      const body = url === undefined ? {} : { url };
      invalid(await post(http, body), `POST /links ${JSON.stringify(body).slice(0, 60)}`);
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
    const urls = [
      'https://example.com',
      'https://EXAMPLE.com/Mixed/Case',
      'http://example.com/a/../b?x=1&x=2',
      'https://example.com/path#section-2',
    ];
    for (const url of urls) await expectRedirect(http, (await shorten(http, { url })).code, url, `redirect for ${url}`);
  }),

  test('a body that is not a JSON object is 422', async ({ http }) => {
    const json = { 'content-type': 'application/json' };
    invalid(await post(http, '{"url": "https://example.com', json), 'POST malformed JSON');
    invalid(await post(http, ['https://example.com']), 'POST a JSON array');
    invalid(await post(http, '"https://example.com"', json), 'POST a JSON string');
    // JSON that is not an object, and bodies that are not JSON at all.
    const bodies = ['null', '[]', '[{"url":"https://example.com"}]', '42', '-1.5', 'true', 'false', '""', 'url=https://example.com'];
    for (const raw of [...bodies, '', 'https://example.com', '{"url":"https://example.com"}}', '{url: "https://example.com"}'])
      invalid(await post(http, raw, json), `POST /links with the body ${JSON.stringify(raw)}`);
    expectStatus(await post(http, { url: 'https://example.com/after' }), 201, 'POST /links with a valid body after those');
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

  test('only GET redirects: other methods on /{code} and /links/{code} are 404 and change nothing', async ({ http, rng }) => {
    const link = await shorten(http, { url: someUrl(rng) });
    const api = rest(http);
    const body = { url: 'https://example.com/other' };
    for (const path of [`/${link.code}`, `/links/${link.code}`]) {
      notFound(await api.post(path, body), `POST ${path}`);
      notFound(await api.put(path, body), `PUT ${path}`);
      notFound(await api.patch(path, body), `PATCH ${path}`);
      notFound(await api.delete(path), `DELETE ${path}`);
    }
    for (const res of [await api.put('/links', body), await api.patch('/links', body), await api.delete('/links')])
      notFound(res, 'PUT, PATCH or DELETE /links');
    expect(view(await stats(http, link.code)), 'the link after those requests: no visit counted').toEqual({ ...view(link), visits: 0 });
    await expectRedirect(http, link.code, link.url, `GET /${link.code} still redirects`);
    expect((await stats(http, link.code)).visits, 'visits after one GET').toBe(1);
  }),

  test('unknown routes and codes are 404', async ({ http, rng }) => {
    notFound(await get(http, `/${customCode(rng, 16)}`), 'GET an unknown 16-character code');
    notFound(await get(http, `/links/${customCode(rng, 16)}`), 'GET /links/<unknown>');
    notFound(await get(http, '/'), 'GET /');
    notFound(await get(http, '/links/a/b'), 'GET /links/a/b');
  }),

  test('paths with an existing code in another place are 404 and count no visit', async ({ http, rng }) => {
    const link = await shorten(http, { url: someUrl(rng) });
    const other = customCode(rng, 8);
    for (const path of [`/${link.code}/${other}`, `/links/${link.code}/${other}`, `/${other}/${link.code}`, `/links/${other}/${link.code}`])
      notFound(await get(http, path), `GET ${path}`);
    expect(view(await stats(http, link.code)), 'the link after those requests: no visit counted').toEqual({ ...view(link), visits: 0 });
  }),
];

// ---------------------------------------------------------------------------------------------

const stress = [
  test(
    '300 concurrent creates: distinct codes, each redirecting to its own URL',
    async ({ http, rng }) => {
      const urls = Array.from({ length: 300 }, (_, i) => `${someUrl(rng)}&n=${i}`);
      const res = await Promise.all(urls.map((url) => post(http, { url })));
      expectEveryStatus(res, 201, 'concurrent creates');
      const codes = res.map((r) => (r.body as Link).code);
      for (const c of codes) expectGenerated(c);
      const distinct = new Set(codes).size;
      if (distinct !== 300) fail(`300 concurrent creates gave only ${distinct} distinct codes`);
      const hops = await Promise.all(codes.map((c) => get(http, `/${c}`)));
      const wrong = hops.flatMap((h, i) => (h.status !== 302 || h.headers.location !== urls[i] ? [i] : []));
      if (wrong.length) {
        const [i, h] = [wrong[0]!, hops[wrong[0]!]!];
        fail(`${wrong.length} of 300 codes do not redirect to their own URL (e.g. /${codes[i]} → ${h.status} ${h.headers.location ?? ''})`);
      }
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
        const { 201: won = 0, 409: lost = 0 } = countStatuses(res);
        if (won !== 1 || lost !== 39)
          fail(`round ${round}: 40 creates of code ${code} at once: expected one 201 and 39 × 409, got ${won} × 201 and ${lost} × 409`);
        await expectRedirect(http, code, urls[res.findIndex((r) => r.status === 201)]!, `GET /${code} after the race`);
      }
    },
    { timeoutMs: 20_000 },
  ),

  test(
    'concurrent redirects are all counted',
    async ({ http, rng }) => {
      const links = await Promise.all(Array.from({ length: 10 }, () => shorten(http, { url: someUrl(rng) })));
      const hits = links.flatMap((l, i) => Array.from({ length: 10 + 10 * i }, () => l));
      expectEveryStatus(await Promise.all(rng.shuffle(hits).map((l) => get(http, `/${l.code}`))), 302, 'concurrent redirects');
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

const redirectLatency: HttpLatencyDef = {
  operation: 'GET /{code}',
  setup: async (ctx) => {
    // Set-up runs outside any test: a dropped connection here would abort the whole grading.
    const http = retrying(ctx.http, ctx.sleep);
    const codes: string[] = [];
    for (let i = 0; i < SEEDED; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, SEEDED - i) }, () =>
          // Long tracking URLs, as marketing links are: about 1,000 characters each.
          post(http, {
            url: `${someUrl(ctx.rng)}&utm_source=newsletter&utm_medium=email&utm_campaign=${customCode(ctx.rng, 24)}&utm_content=${customCode(ctx.rng, 880)}`,
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
