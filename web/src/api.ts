/** The page's client of the Assay API (same origin): typed calls, problem+json errors, the stored API key. */
import type { z } from 'zod';
import type {
  Language,
  ProgressEvent,
  SubmissionStatus,
  ProblemDetailSchema,
  ProblemDetailsSchema,
  ProblemSummarySchema,
  SubmissionListSchema,
  SubmissionSchema,
  SubmissionSummarySchema,
} from '@assay/contracts';
import { streamSse } from './sse';

export type ProblemSummary = z.infer<typeof ProblemSummarySchema>;
export type ProblemDetail = z.infer<typeof ProblemDetailSchema>;
export type Submission = z.infer<typeof SubmissionSchema>;
export type SubmissionSummary = z.infer<typeof SubmissionSummarySchema>;
export type SubmissionList = z.infer<typeof SubmissionListSchema>;
export type ProblemDetails = z.infer<typeof ProblemDetailsSchema>;
export type { SubmissionStatus };

/** An API answer that was not 2xx, with its RFC 9457 body when it had one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail || problem.title);
  }
}

const KEY_STORAGE = 'assay.apiKey';

export const apiKey = {
  get(): string {
    try {
      return localStorage.getItem(KEY_STORAGE) ?? '';
    } catch {
      return '';
    }
  },
  set(key: string): void {
    try {
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
    } catch {
      /* storage disabled: the key lives for this page only */
    }
  },
};

function authHeaders(): Record<string, string> {
  const key = apiKey.get().trim();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A 401 to a request that carried the key: the key itself is wrong, whatever the route. */
function invalidKeyError(): ApiError {
  return new ApiError(401, {
    type: 'about:blank',
    title: 'API key not valid',
    status: 401,
    detail:
      'The API key in the field at the top of the page is not valid (mistyped, unknown or revoked). ' +
      'Correct it, or clear the field to practise without one.',
  });
}

/**
 * An idempotency key (a random UUID v4) from `crypto.getRandomValues`, which every browser has;
 * `crypto.randomUUID` exists only in secure contexts (https or localhost), not on a plain-http origin.
 */
export function idempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ProblemDetails>;
    if (body && typeof body === 'object' && typeof body.detail === 'string')
      return new ApiError(res.status, {
        type: String(body.type ?? ''),
        title: String(body.title ?? res.statusText),
        status: res.status,
        detail: body.detail,
        ...(Array.isArray(body.errors) ? { errors: body.errors } : {}),
      });
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, {
    type: 'about:blank',
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: text.slice(0, 500) || `the server answered ${res.status}`,
  });
}

/** `public`: routes anyone may read, sent without the key so a wrong one cannot break them. */
async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  access: 'public' | 'keyed' = 'keyed',
): Promise<T> {
  const auth = access === 'public' ? {} : authHeaders();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...auth,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiError(0, {
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: `could not reach the API (${(e as Error).message}); check your connection and retry`,
    });
  }
  if (res.status === 401 && auth.authorization) throw invalidKeyError();
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

export const listProblems = () => call<{ items: ProblemSummary[] }>('GET', '/v1/problems', undefined, {}, 'public').then((r) => r.items);
export const getProblem = (id: string) => call<ProblemDetail>('GET', `/v1/problems/${encodeURIComponent(id)}`, undefined, {}, 'public');
export const getSubmission = (id: string) => call<Submission>('GET', `/v1/submissions/${encodeURIComponent(id)}`);

export function createSubmission(req: {
  problemId: string;
  language: Language;
  files: Array<{ path: string; content: string }>;
}): Promise<Submission> {
  return call<Submission>('POST', '/v1/submissions', req, { 'idempotency-key': idempotencyKey() });
}

export function listSubmissions(q: { problemId?: string; status?: string; cursor?: string; limit?: number }): Promise<SubmissionList> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return call<SubmissionList>('GET', `/v1/submissions?${params}`);
}

export interface EventHandlers {
  onStatus(status: SubmissionStatus, message?: string): void;
  onProgress(e: ProgressEvent): void;
  onResult(s: Submission): void;
  onReconnect?(attempt: number): void;
}

/** Follows a submission's events until its result (or the signal aborts). */
export async function followSubmission(id: string, h: EventHandlers, signal?: AbortSignal): Promise<void> {
  const headers = authHeaders();
  await streamSse(`/v1/submissions/${encodeURIComponent(id)}/events`, {
    headers,
    ...(signal ? { signal } : {}),
    onMessage(m) {
      const data: unknown = JSON.parse(m.data);
      if (m.event === 'status') {
        const s = data as { status: SubmissionStatus; message?: string };
        h.onStatus(s.status, s.message);
      } else if (m.event === 'progress') h.onProgress(data as ProgressEvent);
      else if (m.event === 'result') {
        h.onResult(data as Submission);
        return true;
      }
      return false;
    },
    async onHttpError(res) {
      // 204: the stream has nothing we have not seen (its result included); the caller reads the submission.
      if (res.status === 204) return;
      if (res.status === 401 && headers.authorization) throw invalidKeyError();
      throw await errorFrom(res);
    },
    onReconnect: (n) => h.onReconnect?.(n),
  });
}
