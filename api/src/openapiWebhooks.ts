/** OpenAPI paths of a webhook endpoint's lifecycle: update, enable/disable, secret rotation, history. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import {
  IdParamSchema,
  WebhookEndpointHistorySchema,
  WebhookEndpointSchema,
  WebhookEndpointUpdateSchema,
  WebhookEndpointWithSecretSchema,
  WebhookSecretRotateSchema,
} from '@assay/contracts';

export interface PathHelpers {
  errors(...codes: number[]): Record<string, unknown>;
  json(schema: z.ZodType, description: string): { description: string; content: Record<string, { schema: z.ZodType }> };
  authed: Array<Record<string, string[]>>;
}

export function registerWebhookEndpointLifecycle(reg: OpenAPIRegistry, { errors, json, authed }: PathHelpers): void {
  reg.registerPath({
    method: 'patch',
    path: '/v1/webhook-endpoints/{id}',
    operationId: 'updateWebhookEndpoint',
    summary: 'Change an endpoint: url, description, events; disable or enable it',
    description:
      'Only the fields given change (`description: null` clears it). `enabled: false` stops deliveries (those due are ' +
      'logged as not sent, and can be replayed); `enabled: true` resumes them and clears `failingSince` and `disabledReason`, ' +
      'also after the endpoint was disabled automatically for failing for `WEBHOOK_DISABLE_AFTER_S` (5 days by default). ' +
      'Every change is in the endpoint history.',
    security: authed,
    request: { params: IdParamSchema, body: { required: true, content: { 'application/json': { schema: WebhookEndpointUpdateSchema } } } },
    responses: { 200: json(WebhookEndpointSchema, 'the endpoint as changed'), ...errors(401, 404, 422, 503) },
  });
  reg.registerPath({
    method: 'post',
    path: '/v1/webhook-endpoints/{id}/rotate-secret',
    operationId: 'rotateWebhookEndpointSecret',
    summary: 'Issue a new signing secret; the previous one stays valid for a grace period',
    description:
      'Until `previousSecretExpiresAt` (now + `gracePeriodS`, by default `WEBHOOK_SECRET_GRACE_S`, 24 h) every delivery carries ' +
      'two space-separated signatures in `webhook-signature`, one per secret, as Standard Webhooks provides: a receiver ' +
      'verifies with either while it switches. `gracePeriodS: 0` retires the previous secret at once.',
    security: authed,
    request: { params: IdParamSchema, body: { required: false, content: { 'application/json': { schema: WebhookSecretRotateSchema } } } },
    responses: { 200: json(WebhookEndpointWithSecretSchema, 'the endpoint with its new secret'), ...errors(401, 404, 422, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/webhook-endpoints/{id}/history',
    operationId: 'getWebhookEndpointHistory',
    summary: 'What happened to an endpoint: created, updated, disabled (by the API or automatically), enabled, secret rotated',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 200: json(WebhookEndpointHistorySchema, 'oldest first'), ...errors(401, 404, 503) },
  });
}
