import type { RequestHandler, Response } from 'express';
import { createHash } from 'node:crypto';
import { findApiKey, touchApiKey, type ApiKeyPrincipal } from '@assay/platform';
import type { ApiContext } from './context';
import { HttpError } from './errors';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Keys seen recently: a revoked key stops working within KEY_CACHE_MS; last_used_at is written at most once a minute. */
const KEY_CACHE_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;
interface CachedKey {
  principal: ApiKeyPrincipal | undefined;
  until: number;
}
const keyCache = new Map<string, CachedKey>();
const touched = new Map<string, number>();

async function lookupKey(ctx: ApiContext, key: string): Promise<ApiKeyPrincipal | undefined> {
  const id = createHash('sha256').update(key).digest('base64url');
  const now = Date.now();
  const hit = keyCache.get(id);
  if (hit && hit.until > now) return hit.principal;
  const principal = await findApiKey(ctx.pool, key);
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(id, { principal, until: now + (principal ? KEY_CACHE_MS : 2_000) });
  return principal;
}

function touch(ctx: ApiContext, p: ApiKeyPrincipal): void {
  const now = Date.now();
  if ((touched.get(p.keyId) ?? 0) > now - TOUCH_EVERY_MS) return;
  touched.set(p.keyId, now);
  void touchApiKey(ctx.pool, p.keyId).catch(() => {});
}

/** Reads `Authorization: Bearer <key>`; no header = anonymous; a header with a bad key = 401. */
export function authenticate(ctx: ApiContext): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const m = BEARER.exec(header);
    if (!m)
      throw new HttpError('unauthorized', 'the Authorization header must be "Bearer <api key>"', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    const principal = await lookupKey(ctx, m[1]!);
    if (!principal)
      throw new HttpError('unauthorized', 'the API key is unknown or revoked; create one with `npx assay keys create --org <name>`', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    touch(ctx, principal);
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
  if (!p)
    throw new HttpError(
      'unauthorized',
      'this endpoint needs an API key: send Authorization: Bearer <key> (create one with `npx assay keys create --org <name>`)',
      { headers: { 'WWW-Authenticate': 'Bearer' } },
    );
  return p;
}
