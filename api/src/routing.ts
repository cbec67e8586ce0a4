/** What every router shares: 405 with `Allow` for a known path asked with another method, 415 for bodies that are not JSON. */
import type { RequestHandler, Router } from 'express';
import { HttpError } from './errors';

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Call last on a router: every path it routes answers other methods with 405 and an `Allow`
 * header listing the ones it has (HEAD with GET), and OPTIONS with 204 and the same header.
 */
export function answerOtherMethods(router: Router): Router {
  const methods = new Map<string, { path: string | string[]; allowed: Set<string> }>();
  for (const layer of router.stack as RouteLayer[]) {
    if (!layer.route) continue;
    const key = JSON.stringify(layer.route.path);
    const entry = methods.get(key) ?? { path: layer.route.path, allowed: new Set<string>() };
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') entry.allowed.add(m.toUpperCase());
    methods.set(key, entry);
  }
  for (const { path, allowed } of methods.values()) {
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.add('OPTIONS');
    const allow = [...allowed].sort().join(', ');
    router.all(path, (req, res) => {
      if (req.method === 'OPTIONS') return void res.status(204).set('Allow', allow).end();
      throw new HttpError('method-not-allowed', `${req.method} is not allowed on ${req.path}; it answers ${allow}`, {
        headers: { Allow: allow },
      });
    });
  }
  return router;
}

const notJson = (got: string | undefined) =>
  new HttpError(
    'unsupported-media-type',
    `send the body as JSON with Content-Type: application/json (got ${got ? `Content-Type: ${got}` : 'no Content-Type'})`,
  );

/** A route that reads a JSON body: anything else is a 415 (before any other work is done). */
export const jsonBody: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) throw notJson(req.headers['content-type']);
  next();
};

/** A route that reads no body: none, or JSON (which it ignores); a body of another type is a 415. */
export const noBodyOrJson: RequestHandler = (req, _res, next) => {
  const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
  if (!empty && req.is('application/json') === false) throw notJson(req.headers['content-type']);
  next();
};

/** RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 (Node's own check answers without a body, so it is off). */
export const requireHost: RequestHandler = (req, _res, next) => {
  if (req.httpVersion === '1.1' && req.headers.host === undefined)
    throw new HttpError('bad-request', 'an HTTP/1.1 request must carry a Host header');
  next();
};
