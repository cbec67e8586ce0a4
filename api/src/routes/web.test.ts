/** The built web page served by the real API (fresh database and queue prefix): routes, content types, caching, CSP, and the 503 before a build. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, notFoundHandler } from '../errors';
import { startTestApi, type TestApi } from '../testing';
import { webRouter } from './web';

const ROOT = join(import.meta.dirname, '../../..');
const PAGES = ['/', '/problems/lru-cache', '/dashboard', '/submissions/00000000-0000-4000-8000-000000000000'];

let t: TestApi;
let js: string;
let css: string;
beforeAll(async () => {
  // The page the API serves is web/dist/: (re)build it when a source is newer, as `npm test` does.
  execFileSync('bash', ['web/scripts/ensure-built.sh'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  t = await startTestApi('web');
  const html = (await t.request('GET', '/')).text;
  js = /<script type="module" src="(\/assets\/app-[A-Z0-9]+\.js)"><\/script>/.exec(html)?.[1] ?? '';
  css = /<link rel="stylesheet" href="(\/assets\/app-[A-Z0-9]+\.css)" \/>/.exec(html)?.[1] ?? '';
});
afterAll(async () => {
  await t?.close();
});

describe('the web page, served by the API', () => {
  for (const path of PAGES)
    it(`GET ${path} answers the page with a strict CSP, revalidated on every load`, async () => {
      const res = await t.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toMatch(/<script type="module" src="\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
      expect(res.text).toMatch(/<link rel="stylesheet" href="\/assets\/app-[A-Z0-9]+\.css" \/>/);
      expect(res.text, 'no inline script').not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text, 'no inline style').not.toMatch(/<style|\sstyle=/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');

      // What a browser sends to revalidate (fetch adds "no-cache" to a bare conditional request).
      const again = await t.request('GET', path, { headers: { 'if-none-match': res.headers.get('etag')!, 'cache-control': 'max-age=0' } });
      expect(again.status).toBe(304);
    });

  it('serves the bundle, its source map and the stylesheet, content-hashed and cached for good', async () => {
    expect(js, 'index.html names the bundle').not.toBe('');
    expect(css, 'index.html names the stylesheet').not.toBe('');
    const bundle = await t.request('GET', js);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Booleans, not the text: a failure should not print the whole bundle.
    expect(bundle.text.length).toBeGreaterThan(5_000);
    expect(bundle.text.length, 'something large slipped into the bundle').toBeLessThan(250_000);
    expect(bundle.text.includes('/v1/submissions')).toBe(true);
    expect(/ZodError|\$ZodType/.test(bundle.text), 'types and zod-free values from contracts, never zod itself').toBe(false);
    const mapName = `${js.split('/').pop()}.map`;
    expect(bundle.text.trimEnd().endsWith(`//# sourceMappingURL=${mapName}`)).toBe(true);

    const map = await t.request('GET', `/assets/${mapName}`);
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toMatch(/json/);
    expect(map.body.sources.some((s: string) => s.endsWith('src/page/ResultView.ts'))).toBe(true);

    const style = await t.request('GET', css);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    expect(style.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(style.text).toContain('.badge-accepted');
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
    for (const path of ['/assets/nothing.js', '/assets/app.js', '/inputs.txt', '/assets/../inputs.txt']) {
      const missing = await t.request('GET', path);
      expect(missing.status, path).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await t.request('GET', '/problems/a/b')).status).toBe(404);
  });
});

describe('the web page before it is built', () => {
  const dist = mkdtempSync(join(tmpdir(), 'assay-no-web-'));
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let url = '';
  beforeAll(async () => {
    const app = express();
    app.use(helmet());
    app.use(webRouter(join(dist, 'dist')));
    app.use(notFoundHandler);
    app.use(errorHandler);
    await new Promise<void>((ok) => (server = app.listen(0, '127.0.0.1', () => ok())));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server?.close(ok));
    rmSync(dist, { recursive: true, force: true });
  });

  for (const path of [...PAGES, '/assets/app-ABCDEFGH.js'])
    it(`GET ${path} answers 503 saying how to build it`, async () => {
      const res = await fetch(url + path);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await res.json()) as { title: string; detail: string };
      expect(body.title).toBe('Service unavailable');
      expect(body.detail).toContain('npm run build:web');
    });
});
