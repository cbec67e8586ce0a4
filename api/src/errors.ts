/**
 * RFC 9457 problem details. Every error the API answers is `application/problem+json` with a
 * `type`, a `title`, the `status`, a `detail` saying what was wrong and what to do, and for
 * validation failures an `errors` list of `{ path, message }`.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import { RETRY_AFTER_S, type DependencyProbe } from './DependencyProbe';

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
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'request-timeout': { status: 408, title: 'Request timeout' },
  conflict: { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'uri-too-long': { status: 414, title: 'URI too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'range-not-satisfiable': { status: 416, title: 'Range not satisfiable' },
  'expectation-failed': { status: 417, title: 'Expectation failed' },
  validation: { status: 422, title: 'Validation failed' },
  'idempotency-conflict': { status: 422, title: 'Idempotency key reused with a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'Request header fields too large' },
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

export function problemDetails(type: ErrorType, detail: string, extra: Record<string, unknown> = {}): ProblemDetails {
  return { type: `/docs#error-${type}`, title: ERROR_TYPES[type].title, status: ERROR_TYPES[type].status, detail, ...extra };
}

export function sendProblem(res: Response, type: ErrorType, detail: string, extra: Record<string, unknown> = {}): void {
  const { headers, ...ext } = extra as { headers?: Record<string, string> };
  const body = problemDetails(type, detail, { instance: res.req.originalUrl, ...ext });
  if (headers) res.set(headers);
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, 'not-found', `no route ${req.method} ${req.path}; see /docs for the API`);
};

/** The error type answering a client error status that Express, body-parser or http-errors attached to an error. */
function clientErrorType(status: number): ErrorType {
  const found = Object.entries(ERROR_TYPES).find(([t, e]) => e.status === status && t !== 'idempotency-conflict' && t !== 'malformed-json');
  return (found?.[0] as ErrorType | undefined) ?? 'bad-request';
}

/**
 * The last middleware: maps thrown errors (Express 5 forwards rejected promises here) to
 * problem+json. Client errors keep their 4xx status; an error while PostgreSQL or Redis is
 * unreachable is a 503 with Retry-After (`probe` says which is down); anything else is a 500.
 */
export function errorHandler(probe: DependencyProbe): ErrorRequestHandler {
  return async (err, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) return sendProblem(res, err.type, err.detail, err.extra);
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string; expose?: boolean };
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
        return sendProblem(res, 'unsupported-media-type', `${e.message}; send UTF-8 JSON (Content-Encoding gzip, deflate, br or none)`);
      case 'request.aborted':
        return sendProblem(res, 'bad-request', 'the request was aborted while its body was being read');
      case 'request.size.invalid':
        return sendProblem(res, 'bad-request', 'the request body is shorter or longer than its Content-Length');
    }
    if (typeof (err as { code?: unknown }).code === 'string' && /^Z_/.test((err as { code: string }).code))
      return sendProblem(
        res,
        'bad-request',
        `the request body is not valid ${req.headers['content-encoding'] ?? 'compressed'} data (${e.message}); send it uncompressed or fix its Content-Encoding`,
      );
    const status = e.status ?? e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Only http-errors marked `expose` carry a message meant for the client (a bad percent-encoding, a bad gzip body, …).
      const why = e.expose !== false && e.message ? e.message : 'the request is malformed';
      return sendProblem(res, clientErrorType(status), `${why}; see /docs for the API`);
    }
    const down = await probe.unreachable(err);
    if (down.length) {
      req.log?.warn({ err, unreachable: down }, `${down.join(' and ')} unreachable`);
      if (res.headersSent) return void res.end();
      return sendProblem(
        res,
        'service-unavailable',
        `${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} unreachable right now; retry shortly`,
        {
          headers: { 'Retry-After': String(RETRY_AFTER_S) },
        },
      );
    }
    req.log?.error({ err }, 'unhandled error');
    if (res.headersSent) return void res.end();
    sendProblem(res, 'internal', 'something went wrong on our side; retry, and report the request id in X-Request-Id if it persists');
  };
}
