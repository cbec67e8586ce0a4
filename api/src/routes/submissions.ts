import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { SubmissionRequestSchema, type SubmissionRequest, IdParamSchema, SubmissionListQuerySchema } from '@assay/contracts';
import {
  CallbackUrlError,
  checkCallbackUrl,
  decodeCursor,
  decryptSecret,
  deleteSubmission,
  encryptSecret,
  enqueueGrading,
  generateWebhookSecret,
  getSubmission,
  insertSubmission,
  listSubmissions,
  NotRegradableError,
  regradeSubmission,
  recordProblemVersion,
  type Submission,
} from '@assay/platform';
import { principalOf, requirePrincipal } from '../auth';
import { streamSubmissionEvents } from '../eventStream';
import type { ApiContext } from '../context';
import { HttpError, validationError } from '../errors';
import { presentSubmission, presentSummary } from '../presenters';
import { enforceRateLimit } from '../rateLimit';
import { answerOtherMethods, jsonBody, noBodyOrJson } from '../routing';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function submissionsRouter(ctx: ApiContext): Router {
  const r = Router();

  r.post('/v1/submissions', jsonBody, async (req, res) => {
    const principal = principalOf(res);
    const client = req.ip ?? 'unknown';
    if (principal)
      await enforceRateLimit(
        ctx.redis,
        ctx.config.queuePrefix,
        `org:${principal.orgId}`,
        ctx.config.rateLimit.org,
        ctx.config.rateLimit.windowS,
        'too many submissions from this organisation',
      );
    else
      await enforceRateLimit(
        ctx.redis,
        ctx.config.queuePrefix,
        `anon:${client}`,
        ctx.config.rateLimit.anonymous,
        ctx.config.rateLimit.windowS,
        'too many anonymous submissions from this address',
      );

    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))
      throw new HttpError(
        'validation',
        'the body must be a JSON object { problemId, language, files: [{ path, content }], callbackUrl? }',
        { errors: [{ path: '(body)', message: 'expected an object' }] },
      );
    const parsed = SubmissionRequestSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'the submission');
    const body = parsed.data;

    const idemKey = req.get('Idempotency-Key');
    if (idemKey !== undefined && !IDEMPOTENCY_KEY.test(idemKey))
      throw new HttpError('validation', 'the Idempotency-Key header must be 1–255 visible ASCII characters (a UUID is a good choice)', {
        errors: [{ path: 'Idempotency-Key', message: 'invalid' }],
      });

    const problem = ctx.problems.get(body.problemId);
    if (!problem)
      throw new HttpError(
        'validation',
        `no problem "${body.problemId}"; the problems are: ${ctx.problems.ids().join(', ')} (GET /v1/problems)`,
        {
          errors: [{ path: 'problemId', message: 'unknown problem' }],
        },
      );
    if (!principal && !ctx.problems.isPractice(problem.manifest.id))
      throw new HttpError(
        'unauthorized',
        `problem "${problem.manifest.id}" is part of assessments, not practice: submit with an API key (Authorization: Bearer <key>)`,
        { headers: { 'WWW-Authenticate': 'Bearer' } },
      );
    if (!problem.manifest.languages.includes(body.language))
      throw new HttpError(
        'validation',
        `problem "${problem.manifest.id}" does not accept ${body.language}; it accepts ${problem.manifest.languages.join(', ')}`,
        {
          errors: [{ path: 'language', message: 'unsupported language for this problem' }],
        },
      );
    const entry = problem.manifest.entry[body.language]!;
    if (!body.files.some((f) => f.path === entry))
      throw new HttpError(
        'validation',
        `the ${body.language} answer to "${problem.manifest.id}" must include a file named ${entry} (its exports are graded)`,
        {
          errors: [{ path: 'files', message: `missing ${entry}` }],
        },
      );
    if (body.callbackUrl) {
      try {
        await checkCallbackUrl(body.callbackUrl, ctx.config.webhooks);
      } catch (e) {
        if (e instanceof CallbackUrlError)
          throw new HttpError('validation', `callbackUrl ${e.message}`, { errors: [{ path: 'callbackUrl', message: e.message }] });
        throw e;
      }
    }

    await recordProblemVersion(ctx.pool, problem, ctx.logger);
    const callbackSecret = body.callbackUrl ? generateWebhookSecret() : undefined;
    const id = randomUUID();
    const hash = requestHash(body);
    const { created, submission } = await insertSubmission(ctx.pool, {
      id,
      orgId: principal?.orgId ?? null,
      apiKeyId: principal?.keyId ?? null,
      problemId: problem.manifest.id,
      problemVersion: problem.manifest.version,
      language: body.language,
      files: body.files,
      callbackUrl: body.callbackUrl ?? null,
      callbackSecret: callbackSecret ? encryptSecret(ctx.config.webhooks.secretsKey, callbackSecret) : null,
      idempotencyScope: idemKey === undefined ? null : principal ? `org:${principal.orgId}` : `anon:${client}`,
      idempotencyKey: idemKey ?? null,
      requestHash: hash,
      clientAddress: client,
    });
    const log = req.log.child({ submissionId: submission.id });
    if (!created && submission.requestHash !== hash)
      throw new HttpError(
        'idempotency-conflict',
        `Idempotency-Key "${idemKey}" was already used for submission ${submission.id} with a different body; use a new key for a new submission`,
        {
          submissionId: submission.id,
        },
      );
    try {
      // For a replayed key this is a no-op when the job exists, and heals a lost enqueue otherwise.
      if (created || submission.status === 'queued') await enqueueGrading(ctx.queues, ctx.config, submission.id);
    } catch (e) {
      log.error({ err: e }, 'could not enqueue the grading job');
      if (created) await deleteSubmission(ctx.pool, submission.id).catch(() => {});
      throw new HttpError('service-unavailable', 'the grading queue is unreachable right now; nothing was stored — retry shortly', {
        headers: { 'Retry-After': '5' },
      });
    }
    log.info(
      { problemId: submission.problemId, language: submission.language, replayed: !created },
      created ? 'submission accepted' : 'idempotent replay',
    );
    const secret = submission.callbackSecret ? decryptSecret(ctx.config.webhooks.secretsKey, submission.callbackSecret) : undefined;
    res
      .status(202)
      .location(`${ctx.config.http.publicUrl ?? ''}/v1/submissions/${submission.id}`)
      .set(created ? {} : { 'Idempotent-Replayed': 'true' })
      .json(presentSubmission(submission, secret ? { callbackSecret: secret } : {}));
  });

  r.get('/v1/submissions', async (req, res) => {
    const principal = requirePrincipal(res);
    const q = SubmissionListQuerySchema.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'the query', ['query']);
    const cursor = q.data.cursor === undefined ? undefined : decodeCursor(q.data.cursor);
    if (q.data.cursor !== undefined && !cursor)
      throw new HttpError('validation', 'cursor is not one this API issued; pass the nextCursor of the previous page', {
        errors: [{ path: 'query.cursor', message: 'invalid cursor' }],
      });
    const page = await listSubmissions(ctx.pool, principal.orgId, { ...q.data, cursor });
    res.json({ items: page.items.map(presentSummary), nextCursor: page.nextCursor });
  });

  r.get('/v1/submissions/:id', async (req, res) => {
    const sub = await visibleSubmission(ctx, req, res);
    res.json(presentSubmission(sub));
  });

  // An organisation's own failed submission, graded again from scratch (attempts reset).
  r.post('/v1/submissions/:id/regrade', noBodyOrJson, async (req, res) => {
    const principal = requirePrincipal(res);
    const sub = await visibleSubmission(ctx, req, res);
    if (sub.orgId !== principal.orgId) throw new HttpError('not-found', `no submission ${sub.id} in your organisation`);
    let regraded;
    try {
      regraded = await regradeSubmission(ctx.pool, ctx.queues, ctx.config, sub.id);
    } catch (e) {
      if (e instanceof NotRegradableError) throw new HttpError('conflict', e.message, { submissionStatus: e.status });
      throw e;
    }
    if (!regraded) throw new HttpError('not-found', `no submission ${sub.id}`);
    req.log.info({ submissionId: sub.id, enqueued: regraded.enqueued }, 'regrade requested');
    res
      .status(202)
      .location(`${ctx.config.http.publicUrl ?? ''}/v1/submissions/${sub.id}`)
      .json(presentSubmission(regraded.submission));
  });

  r.get('/v1/submissions/:id/events', async (req, res) => {
    const sub = await visibleSubmission(ctx, req, res);
    await streamSubmissionEvents(ctx, req, res, sub);
  });

  return answerOtherMethods(r);
}

function requestHash(body: SubmissionRequest): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** The submission, if the caller may see it: an organisation's only with its key; anonymous ones by id. */
async function visibleSubmission(ctx: ApiContext, req: Request, res: Response): Promise<Submission> {
  const p = IdParamSchema.safeParse(req.params);
  if (!p.success) throw new HttpError('not-found', `no submission "${String(req.params.id)}": submission ids are UUIDs`);
  const sub = await getSubmission(ctx.pool, p.data.id);
  const principal = principalOf(res);
  if (!sub || (sub.orgId !== null && sub.orgId !== principal?.orgId))
    throw new HttpError('not-found', `no submission ${p.data.id}${principal ? '' : ' visible without an API key'}`);
  return sub;
}
