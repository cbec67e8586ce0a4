import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { ApiContext } from '../context';
import { sendProblem } from '../errors';

export const ADMIN_BASE = '/admin/queues';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** HTTP basic auth with the configured admin credentials; without a password the dashboard is off. */
function basicAuth(ctx: ApiContext): RequestHandler {
  return (req, res, next) => {
    const { user, password } = ctx.config.admin;
    if (!password)
      return sendProblem(
        res,
        'service-unavailable',
        'the queue dashboard is disabled: set ADMIN_PASSWORD (and optionally ADMIN_USER) and restart',
      );
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const [u, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
    if (u !== undefined && same(u, user) && same(rest.join(':'), password)) return next();
    sendProblem(res, 'unauthorized', 'the queue dashboard needs the admin credentials (ADMIN_USER / ADMIN_PASSWORD)', {
      headers: { 'WWW-Authenticate': 'Basic realm="assay-admin", charset="UTF-8"' },
    });
  };
}

/** bull-board at /admin/queues, behind basic auth. */
export function adminRouter(ctx: ApiContext): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_BASE);
  // @bull-board/express pins its own copy of @bull-board/api: same shape, different type identity.
  createBullBoard({
    queues: [new BullMQAdapter(ctx.queues.grading), new BullMQAdapter(ctx.queues.webhooks)],
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  const r = Router();
  r.use(ADMIN_BASE, basicAuth(ctx), serverAdapter.getRouter() as RequestHandler);
  return r;
}
