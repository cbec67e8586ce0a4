/** Request and response shapes of the HTTP API; the OpenAPI document is generated from these. */
import { z } from 'zod';
import { ComplexityClassSchema, LanguageSchema, SuiteNameSchema, VerdictSchema } from './verdict';
import { SourceFileSchema } from './problem';
import { ResultSchema } from './result';
import { DeliveryStatusSchema, SubmissionStatusSchema } from './submission';
import { IdSchema } from './id';
import { storable } from './text';
import { DifficultySchema, ProblemIdSchema, ProblemKindSchema } from './manifest';

export const SubmissionSchema = z.object({
  id: IdSchema,
  status: SubmissionStatusSchema,
  problemId: z.string(),
  problemVersion: z.string(),
  language: LanguageSchema,
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  links: z.object({ self: z.string(), events: z.string() }),
  /** The engine's result, candidate-safe: hidden tests carry only their name and status. */
  result: ResultSchema.optional(),
  /** Present in the answer that created a submission with a callbackUrl: the `whsec_` secret its webhook is signed with. */
  callbackSecret: z.string().optional(),
});

export const SubmissionSummarySchema = SubmissionSchema.omit({ result: true, callbackSecret: true }).extend({
  verdict: VerdictSchema.nullable(),
  score: z.number().nullable(),
});

export const SubmissionListSchema = z.object({ items: z.array(SubmissionSummarySchema), nextCursor: z.string().nullable() });

export const SubmissionListQuerySchema = z
  .object({
    problemId: ProblemIdSchema.optional(),
    status: SubmissionStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: storable(z.string().max(200)).optional(),
  })
  .strict();

export const IdParamSchema = z.object({ id: IdSchema });

export const ProblemSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.string(),
  difficulty: DifficultySchema,
  tags: z.array(z.string()),
  estimatedMinutes: z.number(),
  kind: ProblemKindSchema,
  languages: z.array(LanguageSchema),
  practice: z.boolean(),
});

export const ProblemDetailSchema = ProblemSummarySchema.extend({
  statement: z.string(),
  entry: z.record(z.string(), z.string()),
  starter: z.record(z.string(), SourceFileSchema),
  limits: z.object({ wallMs: z.number(), memoryMb: z.number(), outputBytes: z.number(), testTimeoutMs: z.number() }),
  suites: z.array(z.object({ name: SuiteNameSchema, weight: z.number() })),
  /** Names of the sample tests (shown in full in results); hidden tests are never listed. */
  sampleTests: z.array(z.string()),
  complexity: z.array(z.object({ operation: z.string(), expected: ComplexityClassSchema })),
});

export const WEBHOOK_EVENTS = ['submission.completed', 'submission.failed'] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export const WebhookEndpointCreateSchema = z
  .object({
    url: storable(z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })),
    description: storable(z.string().max(200)).optional(),
    events: z
      .array(WebhookEventSchema)
      .min(1)
      .default([...WEBHOOK_EVENTS]),
  })
  .strict();

/** Changes to an endpoint: any of its fields; `enabled` false stops deliveries, true resumes them (and clears the failure record). */
export const WebhookEndpointUpdateSchema = z
  .object({
    url: WebhookEndpointCreateSchema.shape.url.optional(),
    description: WebhookEndpointCreateSchema.shape.description.unwrap().nullable().optional(),
    events: z.array(WebhookEventSchema).min(1).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((u) => Object.values(u).some((v) => v !== undefined), { message: 'give at least one of url, description, events, enabled' });

/** Rotating a secret: the previous one keeps signing (both signatures sent) for `gracePeriodS`. */
export const WebhookSecretRotateSchema = z
  .object({
    gracePeriodS: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .strict();

export const WebhookEndpointSchema = z.object({
  id: IdSchema,
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(WebhookEventSchema),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** First failed attempt since the last success (null while deliveries succeed). */
  failingSince: z.iso.datetime().nullable(),
  disabledAt: z.iso.datetime().nullable(),
  /** Who or what disabled it: the API, or the automatic disabling of an endpoint failing for days. */
  disabledReason: z.string().nullable(),
  /** While set, deliveries are signed with the previous secret too (until then). */
  previousSecretExpiresAt: z.iso.datetime().nullable(),
});
export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({ secret: z.string() });

export const WebhookEndpointHistorySchema = z.object({
  items: z.array(
    z.object({
      action: z.enum(['created', 'updated', 'disabled', 'enabled', 'secret_rotated', 'auto_disabled', 'deleted']),
      detail: z.string().nullable(),
      at: z.iso.datetime(),
    }),
  ),
});

export const DeliverySchema = z.object({
  id: IdSchema,
  submissionId: IdSchema,
  endpointId: IdSchema.nullable(),
  url: z.string(),
  eventType: WebhookEventSchema,
  status: DeliveryStatusSchema,
  attempts: z.number(),
  replays: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
  log: z.array(
    z.object({
      attempt: z.number(),
      statusCode: z.number().nullable(),
      error: z.string().nullable(),
      durationMs: z.number(),
      at: z.string(),
    }),
  ),
});
export const DeliveryListQuerySchema = z
  .object({
    submissionId: IdSchema.optional(),
    status: DeliveryStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

export const ProblemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'unready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
