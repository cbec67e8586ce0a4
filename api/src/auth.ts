import type { RequestHandler, Response } from 'express';
import { findApiKey, type ApiKeyPrincipal } from '@assay/worker';
import type { ApiContext } from './context';
import { HttpError } from './errors';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Reads `Authorization: Bearer <key>`; no header = anonymous; a header with a bad key = 401. */
export function authenticate(ctx: ApiContext): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const m = BEARER.exec(header);
    if (!m) throw new HttpError('unauthorized', 'the Authorization header must be "Bearer <api key>"', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const principal = await findApiKey(ctx.pool, m[1]!);
    if (!principal)
      throw new HttpError('unauthorized', 'the API key is unknown or revoked; create one with `npx assay keys create --org <name>`', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    res.locals.principal = principal;
    req.log?.setBindings?.({ orgId: principal.orgId });
    next();
  };
}

export function principalOf(res: Response): ApiKeyPrincipal | undefined {
  return res.locals.principal as ApiKeyPrincipal | undefined;
}

export function requirePrincipal(res: Response): ApiKeyPrincipal {
  const p = principalOf(res);
  if (!p) throw new HttpError('unauthorized', 'this endpoint needs an API key: send Authorization: Bearer <key> (create one with `npx assay keys create --org <name>`)', { headers: { 'WWW-Authenticate': 'Bearer' } });
  return p;
}
