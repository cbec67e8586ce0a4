/**
 * RFC 9457 problem details. Every error the API answers is `application/problem+json` with a
 * `type`, a `title`, the `status`, a `detail` saying what was wrong and what to do, and for
 * validation failures an `errors` list of `{ path, message }`.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ZodError } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Error types, documented on the docs page (`/docs#errors`). */
export const ERROR_TYPES = {
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  'bad-request': { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  validation: { status: 422, title: 'Validation failed' },
  'idempotency-conflict': { status: 422, title: 'Idempotency key reused with a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
  internal: { status: 500, title: 'Internal server error' },
} as const;
export type ErrorType = keyof typeof ERROR_TYPES;

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly type: ErrorType,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.status = ERROR_TYPES[type].status;
  }
}

export function fieldErrors(error: ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
}

export function validationError(error: ZodError, what: string, prefix: (string | number)[] = []): HttpError {
  const errors = fieldErrors(error, prefix);
  return new HttpError('validation', `${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

export function sendProblem(res: Response, type: ErrorType, detail: string, extra: Record<string, unknown> = {}): void {
  const { headers, ...ext } = extra as { headers?: Record<string, string> };
  const body: ProblemDetails = {
    type: `/docs#error-${type}`,
    title: ERROR_TYPES[type].title,
    status: ERROR_TYPES[type].status,
    detail,
    instance: res.req.originalUrl,
    ...ext,
  };
  if (headers) res.set(headers);
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, 'not-found', `no route ${req.method} ${req.path}; see /docs for the API`);
};

/** The last middleware: maps thrown errors (Express 5 forwards rejected promises here) to problem+json. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HttpError) {
    sendProblem(res, err.type, err.detail, err.extra);
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  switch (e.type) {
    case 'entity.parse.failed':
      return sendProblem(
        res,
        'malformed-json',
        `the request body is not valid JSON (${e.message}); send a JSON object with Content-Type: application/json`,
      );
    case 'entity.too.large':
      return sendProblem(
        res,
        'payload-too-large',
        `the request body is larger than the API accepts (${e.message}); see the file limits in /docs`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendProblem(res, 'unsupported-media-type', `${e.message}; send UTF-8 JSON`);
    case 'request.aborted':
      return sendProblem(res, 'bad-request', 'the request was aborted while its body was being read');
  }
  req.log?.error({ err }, 'unhandled error');
  sendProblem(res, 'internal', 'something went wrong on our side; retry, and report the request id in X-Request-Id if it persists');
};
