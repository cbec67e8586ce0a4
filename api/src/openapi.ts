/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerWebhookEndpointLifecycle } from './openapiWebhooks';
import { z } from 'zod';
import {
  ProgressEventSchema,
  ResultSchema,
  SUBMISSION_LIMITS,
  SubmissionRequestSchema,
  DeliveryListQuerySchema,
  DeliverySchema,
  IdParamSchema,
  ProblemDetailSchema,
  ProblemDetailsSchema,
  ProblemSummarySchema,
  ReadinessSchema,
  SubmissionListQuerySchema,
  SubmissionListSchema,
  SubmissionSchema,
  SubmissionStatusSchema,
  WebhookEndpointCreateSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
} from '@assay/contracts';

extendZodWithOpenApi(z);

/**
 * zod 4 copies prototype methods onto each schema when it is built, so schemas built before
 * `extendZodWithOpenApi` ran (those of @assay/contracts) lack `.openapi`: call it through the prototype.
 */
function named<T extends z.ZodType>(id: string, schema: T): T {
  const openapi = (z.ZodType.prototype as unknown as { openapi: (this: T, refId: string) => T }).openapi;
  return openapi.call(schema, id);
}

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const reg = new OpenAPIRegistry();
  const bearer = reg.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `npx assay keys create --org <name>`',
  });
  const Problem = reg.register('ProblemDetails', named('ProblemDetails', ProblemDetailsSchema));
  const Result = reg.register('Result', named('Result', ResultSchema));
  const Submission = reg.register('Submission', named('Submission', SubmissionSchema.extend({ result: Result.optional() })));
  const ProgressEvent = reg.register('ProgressEvent', named('ProgressEvent', ProgressEventSchema));
  const StreamEvent = reg.register(
    'SubmissionStreamEvent',
    named(
      'SubmissionStreamEvent',
      z
        .discriminatedUnion('event', [
          z.object({
            event: z.literal('status'),
            id: z.string().optional(),
            data: z.object({ status: SubmissionStatusSchema, message: z.string().optional() }),
          }),
          z.object({ event: z.literal('progress'), id: z.string(), data: ProgressEvent }),
          z.object({ event: z.literal('result'), data: Submission }),
        ])
        .describe('One event of the stream, as SSE fields: `event:`, `id:` and `data:` holding this JSON'),
    ),
  );
  const SubmissionRequest = reg.register('SubmissionRequest', named('SubmissionRequest', SubmissionRequestSchema));
  const retryAfter = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' as const } } };
  const errors = (...codes: number[]) =>
    Object.fromEntries(
      codes.map((c) => [
        c,
        {
          description:
            c === 503
              ? 'PostgreSQL or Redis is unreachable: retry after Retry-After seconds (problem details)'
              : 'problem details (RFC 9457)',
          content: { 'application/problem+json': { schema: Problem } },
          ...(c === 503 || c === 429 ? { headers: retryAfter } : {}),
        },
      ]),
    );
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
  const authed = [{ [bearer.name]: [] }];
  const optionalAuth = [{ [bearer.name]: [] }, {}];
  // Public routes take no key, but a key that is sent must be valid: a bad one is a 401 there too.
  const publicRoute: Array<Record<string, string[]>> = [];

  reg.registerPath({
    method: 'post',
    path: '/v1/submissions',
    operationId: 'createSubmission',
    summary: 'Submit a solution for grading',
    description:
      'Validates, stores and queues the submission; answers 202 with its id and a Location. ' +
      `Limits: at most ${SUBMISSION_LIMITS.maxFiles} files of ${SUBMISSION_LIMITS.maxFileBytes} bytes each, ` +
      `${SUBMISSION_LIMITS.maxTotalBytes} bytes in all. ` +
      'Practice problems accept anonymous submissions (rate-limited per client); ' +
      'with an API key the submission belongs to its organisation. ' +
      'With `Idempotency-Key`, the same key and body return the same submission, and the same key with another body is a 422. ' +
      'A `callbackUrl` receives a signed webhook (Standard Webhooks) when grading ends; the answer carries its `callbackSecret`.',
    security: optionalAuth,
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().max(255).optional() }),
      body: { required: true, content: { 'application/json': { schema: SubmissionRequest } } },
    },
    responses: { 202: json(Submission, 'accepted and queued'), ...errors(400, 401, 413, 415, 422, 429, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/submissions',
    operationId: 'listSubmissions',
    summary: "List your organisation's submissions, newest first",
    security: authed,
    request: { query: SubmissionListQuerySchema },
    responses: { 200: json(SubmissionListSchema, 'a page; pass nextCursor as cursor for the next'), ...errors(401, 422, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/submissions/{id}',
    operationId: 'getSubmission',
    summary: 'A submission and, once graded, its result',
    security: optionalAuth,
    request: { params: IdParamSchema },
    responses: { 200: json(Submission, 'the submission'), ...errors(404, 503) },
  });
  reg.registerPath({
    method: 'post',
    path: '/v1/submissions/{id}/regrade',
    operationId: 'regradeSubmission',
    summary: 'Grade a failed submission again',
    description:
      'For a submission of your organisation whose grading failed on our side (`status: failed`): removes the stored failure, ' +
      'resets its attempts and queues it again; answers 202 with the submission (`status: queued`). ' +
      'Any other status is a 409. Anonymous submissions are re-graded by an operator (`npx assay submissions regrade <id>`).',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 202: json(Submission, 're-queued'), ...errors(401, 404, 409, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/submissions/{id}/events',
    operationId: 'streamSubmissionEvents',
    summary: 'Live progress (Server-Sent Events)',
    description:
      'Events: `status` ({status}), `progress` (a ProgressEvent: compiling, suite:correctness 7/12, …), ' +
      'then `result` (the Submission with its result), after which the stream ends. ' +
      'A late client first gets the steps so far. Every event has an `id` (the `result` one past the last step); ' +
      'reconnecting with `Last-Event-ID` skips those already seen. Close the stream on `result`: a client reconnecting ' +
      'with the id of a finished submission’s `result` is answered 204, which stops an EventSource (SSE spec).',
    security: optionalAuth,
    request: { params: IdParamSchema, headers: z.object({ 'Last-Event-ID': z.string().optional() }) },
    responses: {
      200: {
        description: 'an event stream; each `progress` event carries a ProgressEvent',
        content: { 'text/event-stream': { schema: StreamEvent } },
      },
      204: { description: 'the submission is finished and the client has seen its result (Last-Event-ID at or past it): nothing more' },
      ...errors(404, 503),
    },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/problems',
    operationId: 'listProblems',
    summary: 'The problems on offer',
    security: publicRoute,
    responses: { 200: json(z.object({ items: z.array(ProblemSummarySchema) }), 'the problems'), ...errors(401, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/problems/{id}',
    operationId: 'getProblem',
    summary: 'A problem: statement, starter code, limits, sample test names',
    security: publicRoute,
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: json(ProblemDetailSchema, 'the problem'), ...errors(401, 404, 503) },
  });
  reg.registerPath({
    method: 'post',
    path: '/v1/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Add a webhook endpoint for your organisation',
    description:
      'Every submission of the organisation sends its completion to each endpoint, signed with the endpoint secret returned here (`whsec_…`).',
    security: authed,
    request: { body: { required: true, content: { 'application/json': { schema: WebhookEndpointCreateSchema } } } },
    responses: { 201: json(WebhookEndpointWithSecretSchema, 'created'), ...errors(401, 422, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'Your webhook endpoints',
    security: authed,
    responses: { 200: json(z.object({ items: z.array(WebhookEndpointSchema) }), 'the endpoints'), ...errors(401, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/webhook-endpoints/{id}',
    operationId: 'getWebhookEndpoint',
    summary: 'One endpoint with its signing secret',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 200: json(WebhookEndpointWithSecretSchema, 'the endpoint'), ...errors(401, 404, 503) },
  });
  reg.registerPath({
    method: 'delete',
    path: '/v1/webhook-endpoints/{id}',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Remove an endpoint',
    description: 'It stops receiving and leaves the API; its deliveries and their attempts stay in the delivery log.',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 204: { description: 'removed' }, ...errors(401, 404, 503) },
  });
  registerWebhookEndpointLifecycle(reg, { errors, json, authed });
  reg.registerPath({
    method: 'get',
    path: '/v1/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log: every webhook sent, with each attempt',
    security: authed,
    request: { query: DeliveryListQuerySchema },
    responses: { 200: json(z.object({ items: z.array(DeliverySchema) }), 'deliveries, newest first'), ...errors(401, 422, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/v1/webhook-deliveries/{id}',
    operationId: 'getWebhookDelivery',
    summary: 'One delivery and its attempts',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 200: json(DeliverySchema, 'the delivery'), ...errors(401, 404, 503) },
  });
  reg.registerPath({
    method: 'post',
    path: '/v1/webhook-deliveries/{id}/replay',
    operationId: 'replayWebhookDelivery',
    summary: 'Send a delivery again (same webhook-id, fresh timestamp and signature)',
    security: authed,
    request: { params: IdParamSchema },
    responses: { 202: json(DeliverySchema, 'queued for sending'), ...errors(401, 404, 503) },
  });
  reg.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'The process is up',
    security: publicRoute,
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'up'), ...errors(405) },
  });
  reg.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'PostgreSQL, Redis and Docker (or a grading worker) reachable',
    security: publicRoute,
    responses: { 200: json(ReadinessSchema, 'ready'), ...errors(405), 503: json(ReadinessSchema, 'not ready: see checks') },
  });
  reg.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    security: publicRoute,
    responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } }, ...errors(405) },
  });

  cached = new OpenApiGeneratorV31(reg.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Assay API',
      version: '1.0.0',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Grades solutions to backend coding problems in locked-down sandboxes. Errors are RFC 9457 problem details (application/problem+json).',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
