/** The page served by the real API (fresh database and queue prefix): routes, content types, CSP, and what stays the API's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../api/src/testing';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi('web');
});
afterAll(async () => {
  await t?.close();
});

describe('the web page, served by the API', () => {
  for (const path of ['/', '/problems/lru-cache', '/dashboard', '/submissions/00000000-0000-4000-8000-000000000000'])
    it(`GET ${path} answers the page with a strict CSP`, async () => {
      const res = await t.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('<script type="module" src="/assets/app.js"></script>');
      expect(res.text).toContain('<link rel="stylesheet" href="/assets/app.css">');
      expect(res.text, 'no inline script').not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

  it('serves the bundle and the stylesheet with their content types', async () => {
    const js = await t.request('GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.text.length).toBeGreaterThan(5_000);
    expect(js.text).toContain('/v1/submissions');
    expect(js.text, 'the result type is imported, not zod itself').not.toMatch(/ZodError|\$ZodType/);
    expect(js.text).toMatch(/\/\/# sourceMappingURL=app\.js\.map\s*$/);
    expect(js.headers.get('etag')).toBeTruthy();

    // What a browser sends to revalidate (fetch adds "no-cache" to a bare conditional request).
    const again = await t.request('GET', '/assets/app.js', {
      headers: { 'if-none-match': js.headers.get('etag')!, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);

    const css = await t.request('GET', '/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.text).toContain('.badge-accepted');

    const map = await t.request('GET', '/assets/app.js.map');
    expect(map.status).toBe(200);
    expect(map.body.sources.some((s: string) => s.includes('ResultView.ts'))).toBe(true);
  });

  it('leaves the API routes alone', async () => {
    const docs = await t.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/openapi.json');
    expect((await t.request('GET', '/openapi.json')).status).toBe(200);
    expect((await t.request('GET', '/healthz')).status).toBe(200);
    const problems = await t.request('GET', '/v1/problems');
    expect(problems.status).toBe(200);
    expect(problems.headers.get('content-type')).toMatch(/json/);
    const missing = await t.request('GET', '/assets/nothing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await t.request('GET', '/problems/a/b')).status).toBe(404);
  });
});
