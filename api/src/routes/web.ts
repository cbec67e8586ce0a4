/**
 * The web page, built into web/dist/ by `npm run build:web` (web/scripts/build.ts; `npm install`,
 * `npm start` and `npm test` run it). The page routes answer its index.html under a strict CSP,
 * revalidated on every load; /assets/* answers its content-hashed files, cached for a year (a new
 * build has new names). Until the page is built, the page routes answer 503 saying how to build it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { HttpError, sendProblem } from '../errors';
import { answerOtherMethods } from '../routing';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

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

const NOT_BUILT = 'the web page is not built (web/dist/index.html is missing): run `npm run build:web`, then reload';

/** `dist`: the built page (tests point it elsewhere). Read on each request, so a rebuild needs no restart. */
export function webRouter(dist = WEB_DIST): Router {
  const r = Router();
  const index = join(dist, 'index.html');

  r.get(PAGE_ROUTES, (_req, res, next) => {
    res.sendFile(
      index,
      // The headers apply only when the file is sent; ETag and Last-Modified make the revalidation cheap.
      { cacheControl: false, headers: { 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-cache' } },
      (err?: NodeJS.ErrnoException) => {
        if (!err) return;
        if (err.code === 'ENOENT' && !res.headersSent) sendProblem(res, 'service-unavailable', NOT_BUILT);
        else next(err);
      },
    );
  });
  r.use(
    '/assets',
    express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false }),
    // Not a file of this build: the API's 404, unless there is no build at all.
    (req, res, next) => {
      const allow = 'GET, HEAD, OPTIONS';
      if (req.method === 'OPTIONS') return void res.status(204).set('Allow', allow).end();
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new HttpError('method-not-allowed', `${req.method} is not allowed on /assets; it answers ${allow}`, {
          headers: { Allow: allow },
        });
      if (existsSync(index)) next();
      else sendProblem(res, 'service-unavailable', NOT_BUILT);
    },
  );
  return answerOtherMethods(r);
}
