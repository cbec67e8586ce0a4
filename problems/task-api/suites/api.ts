import { expect, expectErrorBody, expectStatus, fail, pick, rest, type HttpClient, type HttpResponse, type Rng } from '@assay/sdk';

// The task API as the tests see it: its shapes, one call per route, and the error shape every
// route shares. One server process serves every test, so each test creates its own project and
// only ever looks at what it created.

export type Status = 'todo' | 'in_progress' | 'done';
export interface Task {
  id: string;
  projectId: string;
  title: string;
  status: Status;
  assignee: string | null;
  dueDate: string | null;
  version: number;
}
export interface Page {
  data: Task[];
  meta: { page: number; limit: number; total: number; totalPages: number };
}

/** The fields the statement defines (extra fields are allowed and ignored). */
export const taskView = (v: unknown) => pick(v, ['id', 'projectId', 'title', 'status', 'assignee', 'dueDate', 'version']);
export const ids = (p: Page) => p.data.map((t) => t.id);
export const titles = (p: Page) => p.data.map((t) => t.title);

export const enc = encodeURIComponent;
export const tasksOf = (projectId: string) => `/projects/${enc(projectId)}/tasks`;
export const postTask = (http: HttpClient, projectId: string, body: unknown, headers?: Record<string, string>) =>
  rest(http).post(tasksOf(projectId), body, headers);
export const getTask = (http: HttpClient, id: string) => rest(http).get(`/tasks/${enc(id)}`);
export const patch = (http: HttpClient, id: string, body: unknown) => rest(http).patch(`/tasks/${enc(id)}`, body);
export const del = (http: HttpClient, id: string) => rest(http).delete(`/tasks/${enc(id)}`);

export function word(rng: Rng): string {
  return `${rng.pick(['fix', 'write', 'ship', 'review', 'plan', 'test', 'deploy', 'draft'])} ${rng.pick(['login', 'docs', 'invoice', 'search', 'billing', 'report'])} ${rng.int(1, 99_999)}`;
}

export async function newProject(http: HttpClient, rng: Rng): Promise<string> {
  const res = await rest(http).post('/projects', { name: `project ${rng.int(1, 1_000_000)}` });
  expectStatus(res, 201, 'POST /projects');
  const id = (res.body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id.length === 0) fail(`POST /projects: expected a string id in the body, got ${res.text.slice(0, 200)}`);
  return id;
}

export async function newTask(http: HttpClient, projectId: string, fields: Record<string, unknown>): Promise<Task> {
  const res = await postTask(http, projectId, fields);
  expectStatus(res, 201, `POST /projects/${projectId}/tasks ${JSON.stringify(fields)}`);
  const t = res.body as Task;
  if (typeof t?.id !== 'string' || t.id.length === 0)
    fail(`POST /projects/${projectId}/tasks: expected a string id in the body, got ${res.text.slice(0, 200)}`);
  return t;
}

export async function list(http: HttpClient, projectId: string, query = ''): Promise<Page> {
  const res = await rest(http).get(`${tasksOf(projectId)}${query ? `?${query}` : ''}`);
  expectStatus(res, 200, `GET /projects/:id/tasks${query ? `?${query}` : ''}`);
  const page = res.body as Page;
  if (!Array.isArray(page?.data) || typeof page.meta !== 'object' || page.meta === null)
    fail(`GET /projects/:id/tasks?${query}: expected { data: [...], meta: {...} }, got ${res.text.slice(0, 200)}`);
  return page;
}

/** The one error shape: { error: { code, message, details: [{ field, message }] } }; `fields` are the ones details must name. */
export function expectError(res: HttpResponse, status: number, code: string, what: string, fields?: string[]): void {
  const details = expectErrorBody(res, status, code, what).details;
  if (!Array.isArray(details)) fail(`${what}: expected error.details to be an array, got ${JSON.stringify(details)}`);
  for (const d of details as Array<{ field?: unknown; message?: unknown } | null>)
    if (typeof d?.field !== 'string' || typeof d.message !== 'string' || d.message.length === 0)
      fail(`${what}: each entry of error.details must be { field, message } strings, the message not empty, got ${JSON.stringify(d)}`);
  if (fields) {
    const named = [...new Set((details as { field: string }[]).map((d) => d.field))].sort();
    expect(named, `${what}: fields named in error.details`).toEqual([...fields].sort());
  }
}
export const invalid = (res: HttpResponse, what: string, fields?: string[]) => expectError(res, 422, 'validation_failed', what, fields);
export const notFound = (res: HttpResponse, what: string) => expectError(res, 404, 'not_found', what);
export const conflict = (res: HttpResponse, what: string) => expectError(res, 409, 'version_conflict', what);

export const PEOPLE = ['ada', 'bob', 'cy', null];
export const STATUSES: Status[] = ['todo', 'in_progress', 'done'];
