/**
 * Serves the web page from the API: `webRouter()` answers the page routes with `public/index.html`,
 * and `/assets/app.js` (bundled in memory by esbuild once, when the router is created) and
 * `/assets/app.css`. Nothing is written to disk, so it works on a read-only image.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Router, type Response } from 'express';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The routes the page answers; everything else (/v1, /docs, /openapi.json, /admin, /healthz, …) falls through. */
export const PAGE_ROUTES = ['/', '/problems/:id', '/dashboard', '/submissions/:id'];

/**
 * Stricter than the API's default policy: scripts and styles from this origin only (no inline
 * script or style, no eval), fetches (the event stream too) to this origin only, no plugins,
 * no framing. Without `upgrade-insecure-requests`: the API is often served over plain http on
 * loopback, where upgrading the page's own assets to https would break it.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Bundle {
  js: Uint8Array;
  map: Uint8Array;
}

export async function buildBundle(): Promise<Bundle> {
  const out = await build({
    entryPoints: [`${WEB_ROOT}src/page/main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15.4'],
    minify: true,
    sourcemap: 'linked',
    outfile: 'app.js',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const file = (suffix: string) => out.outputFiles.find((f) => f.path.endsWith(suffix))!.contents;
  return { js: file('app.js'), map: file('app.js.map') };
}

export function webRouter(): Router {
  const r = Router();
  const html = readFileSync(`${WEB_ROOT}public/index.html`);
  const css = readFileSync(`${WEB_ROOT}public/app.css`);
  // Built once, now; a failed build is reported on each request for the bundle, never as an unhandled rejection.
  const bundle: Promise<Bundle | { error: Error }> = buildBundle().catch((error: Error) => ({ error }));
  const getBundle = async () => {
    const b = await bundle;
    if ('error' in b) throw new Error(`the web page's bundle did not build: ${b.error.message}`);
    return b;
  };
  // Revalidate every time (ETags make it cheap): a new deployment is picked up on the next load.
  const send = (res: Response, type: string, body: Uint8Array) =>
    res
      .type(type)
      .set('Cache-Control', 'no-cache')
      .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));

  r.get(PAGE_ROUTES, (_req, res) => {
    res.set('Content-Security-Policy', PAGE_CSP);
    send(res, 'html', html);
  });
  r.get('/assets/app.css', (_req, res) => send(res, 'css', css));
  r.get('/assets/app.js', async (_req, res) => send(res, 'text/javascript', (await getBundle()).js));
  r.get('/assets/app.js.map', async (_req, res) => send(res, 'application/json', (await getBundle()).map));
  return r;
}
