import { Router } from 'express';
import {
  CallbackUrlError,
  checkCallbackUrl,
  createEndpoint,
  decryptSecret,
  deleteEndpoint,
  encryptSecret,
  endpointHistory,
  enqueueDeliveries,
  generateWebhookSecret,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  markForReplay,
  rotateEndpointSecret,
  updateEndpoint,
  type CallbackPolicy,
  type DeliveryLog,
  type WebhookEndpoint,
} from '@assay/platform';
import { requirePrincipal } from '../auth';
import type { ApiContext } from '../context';
import { HttpError, validationError } from '../errors';
import {
  DeliveryListQuerySchema,
  WebhookEndpointCreateSchema,
  WebhookEndpointUpdateSchema,
  WebhookSecretRotateSchema,
} from '@assay/contracts';
import { answerOtherMethods, jsonBody, noBodyOrJson } from '../routing';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const presentEndpoint = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  enabled: e.enabled,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
  failingSince: iso(e.failingSince),
  disabledAt: iso(e.disabledAt),
  disabledReason: e.disabledReason,
  previousSecretExpiresAt: iso(e.previousSecretExpiresAt),
});
const notFound = (id: string) => new HttpError('not-found', `no webhook endpoint ${id} in your organisation`);

async function checkUrl(url: string, policy: CallbackPolicy): Promise<void> {
  try {
    await checkCallbackUrl(url, policy);
  } catch (e) {
    if (e instanceof CallbackUrlError)
      throw new HttpError('validation', `url ${e.message}`, { errors: [{ path: 'url', message: e.message }] });
    throw e;
  }
}
const presentDelivery = (d: DeliveryLog) => ({
  ...d,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

/** Per-organisation webhook endpoints, the delivery log, and replay. */
export function webhooksRouter(ctx: ApiContext): Router {
  const r = Router();

  r.post('/v1/webhook-endpoints', jsonBody, async (req, res) => {
    const principal = requirePrincipal(res);
    const parsed = WebhookEndpointCreateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error, 'the webhook endpoint');
    await checkUrl(parsed.data.url, ctx.config.webhooks);
    const secret = generateWebhookSecret();
    const ep = await createEndpoint(ctx.pool, {
      orgId: principal.orgId,
      url: parsed.data.url,
      description: parsed.data.description ?? null,
      events: parsed.data.events,
      secretEnc: encryptSecret(ctx.config.webhooks.secretsKey, secret),
    });
    res
      .status(201)
      .location(`/v1/webhook-endpoints/${ep.id}`)
      .json({ ...presentEndpoint(ep), secret });
  });

  r.get('/v1/webhook-endpoints', async (_req, res) => {
    const principal = requirePrincipal(res);
    res.json({ items: (await listEndpoints(ctx.pool, principal.orgId)).map(presentEndpoint) });
  });

  r.get('/v1/webhook-endpoints/:id', async (req, res) => {
    const principal = requirePrincipal(res);
    const ep = await getEndpoint(ctx.pool, principal.orgId, req.params.id);
    if (!ep) throw notFound(req.params.id);
    // The signing secret is the organisation's to read again (as in Svix): receivers need it to verify.
    res.json({ ...presentEndpoint(ep), secret: decryptSecret(ctx.config.webhooks.secretsKey, ep.secretEnc) });
  });

  r.patch('/v1/webhook-endpoints/:id', jsonBody, async (req, res) => {
    const principal = requirePrincipal(res);
    const parsed = WebhookEndpointUpdateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error, 'the changes to the webhook endpoint');
    if (parsed.data.url !== undefined) await checkUrl(parsed.data.url, ctx.config.webhooks);
    const ep = await updateEndpoint(ctx.pool, principal.orgId, String(req.params.id), parsed.data);
    if (!ep) throw notFound(String(req.params.id));
    req.log.info({ endpointId: ep.id, changed: Object.keys(parsed.data) }, 'webhook endpoint updated');
    res.json(presentEndpoint(ep));
  });

  r.post('/v1/webhook-endpoints/:id/rotate-secret', noBodyOrJson, async (req, res) => {
    const principal = requirePrincipal(res);
    const parsed = WebhookSecretRotateSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error, 'the rotation');
    const grace = parsed.data.gracePeriodS ?? ctx.config.webhooks.secretGraceS;
    const secret = generateWebhookSecret();
    const ep = await rotateEndpointSecret(
      ctx.pool,
      principal.orgId,
      String(req.params.id),
      encryptSecret(ctx.config.webhooks.secretsKey, secret),
      grace,
    );
    if (!ep) throw notFound(String(req.params.id));
    req.log.info({ endpointId: ep.id, gracePeriodS: grace }, 'webhook endpoint secret rotated');
    res.json({ ...presentEndpoint(ep), secret });
  });

  r.get('/v1/webhook-endpoints/:id/history', async (req, res) => {
    const principal = requirePrincipal(res);
    const items = await endpointHistory(ctx.pool, principal.orgId, req.params.id);
    if (!items) throw notFound(req.params.id);
    res.json({ items: items.map((i) => ({ ...i, at: i.at.toISOString() })) });
  });

  r.delete('/v1/webhook-endpoints/:id', noBodyOrJson, async (req, res) => {
    const principal = requirePrincipal(res);
    if (!(await deleteEndpoint(ctx.pool, principal.orgId, String(req.params.id)))) throw notFound(String(req.params.id));
    req.log.info({ endpointId: req.params.id }, 'webhook endpoint deleted (its delivery log stays)');
    res.status(204).end();
  });

  r.get('/v1/webhook-deliveries', async (req, res) => {
    const principal = requirePrincipal(res);
    const q = DeliveryListQuerySchema.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'the query', ['query']);
    res.json({ items: (await listDeliveries(ctx.pool, principal.orgId, q.data)).map(presentDelivery) });
  });

  r.get('/v1/webhook-deliveries/:id', async (req, res) => {
    const principal = requirePrincipal(res);
    const d = await getDelivery(ctx.pool, principal.orgId, req.params.id);
    if (!d) throw new HttpError('not-found', `no webhook delivery ${req.params.id} in your organisation`);
    res.json(presentDelivery(d));
  });

  r.post('/v1/webhook-deliveries/:id/replay', noBodyOrJson, async (req, res) => {
    const principal = requirePrincipal(res);
    const d = await markForReplay(ctx.pool, principal.orgId, String(req.params.id));
    if (!d) throw new HttpError('not-found', `no webhook delivery ${req.params.id} in your organisation`);
    await enqueueDeliveries(ctx.queues, ctx.config, [d.id], `-replay-${d.replays}`);
    req.log.info({ deliveryId: d.id, replay: d.replays }, 'webhook replay queued');
    res.status(202).location(`/v1/webhook-deliveries/${d.id}`).json(presentDelivery(d));
  });
  return answerOtherMethods(r);
}
