// Reference solution: plain node:http, everything in memory.
// Tasks live in one map by id and, per project, in a map kept in creation order, so a list
// touches only its own project's tasks and a get is one lookup. Every handler runs
// synchronously between reading the body and answering, so a version check and the write it
// guards can never interleave with another request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type Status = 'todo' | 'in_progress' | 'done';
const STATUSES: readonly string[] = ['todo', 'in_progress', 'done'];
const SORTS: readonly string[] = ['created', '-created', 'dueDate', '-dueDate'];

interface Task {
  id: string;
  projectId: string;
  title: string;
  status: Status;
  assignee: string | null;
  dueDate: string | null;
  version: number;
}

interface Project {
  id: string;
  name: string;
  /** Insertion order is creation order. */
  tasks: Map<string, Task>;
}

interface FieldError {
  field: string;
  message: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
  }
}

const projects = new Map<string, Project>();
const tasks = new Map<string, Task>();
let nextProjectId = 1;
let nextTaskId = 1;

// ---------------------------------------------------------------- validation

function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max && v.trim().length > 0;
}

function checkTaskFields(body: Record<string, unknown>, errors: FieldError[], creating: boolean): void {
  if (creating || 'title' in body)
    if (!isText(body.title, 200)) errors.push({ field: 'title', message: 'title must be a non-blank string of at most 200 characters' });
  if ('status' in body && !STATUSES.includes(body.status as string))
    errors.push({ field: 'status', message: 'status must be one of todo, in_progress, done' });
  if ('assignee' in body && body.assignee !== null && !isText(body.assignee, 100))
    errors.push({ field: 'assignee', message: 'assignee must be null or a non-blank string of at most 100 characters' });
  if ('dueDate' in body && body.dueDate !== null && !isCalendarDate(body.dueDate))
    errors.push({ field: 'dueDate', message: 'dueDate must be null or a calendar date YYYY-MM-DD' });
}

function invalid(errors: FieldError[]): never {
  throw new HttpError(422, 'validation_failed', 'the request is not valid', errors);
}

function notFound(what: string): never {
  throw new HttpError(404, 'not_found', `${what} not found`);
}

// ---------------------------------------------------------------- handlers

function createProject(body: Record<string, unknown>): [number, Project, string] {
  if (!isText(body.name, 100)) invalid([{ field: 'name', message: 'name must be a non-blank string of at most 100 characters' }]);
  const p: Project = { id: `p${nextProjectId++}`, name: body.name as string, tasks: new Map() };
  projects.set(p.id, p);
  return [201, p, `/projects/${p.id}`];
}

function showProject(p: Project) {
  return { id: p.id, name: p.name };
}

function createTask(project: Project, body: Record<string, unknown>): Task {
  const errors: FieldError[] = [];
  checkTaskFields(body, errors, true);
  if (errors.length) invalid(errors);
  const t: Task = {
    id: `t${nextTaskId++}`,
    projectId: project.id,
    title: body.title as string,
    status: (body.status as Status | undefined) ?? 'todo',
    assignee: (body.assignee as string | null | undefined) ?? null,
    dueDate: (body.dueDate as string | null | undefined) ?? null,
    version: 1,
  };
  tasks.set(t.id, t);
  project.tasks.set(t.id, t);
  return t;
}

function listTasks(project: Project, query: URLSearchParams) {
  const errors: FieldError[] = [];
  const param = (name: string) => query.get(name);
  const intParam = (name: string, dflt: number, max: number) => {
    const raw = param(name);
    if (raw === null) return dflt;
    if (!/^[1-9]\d{0,8}$/.test(raw) || Number(raw) > max) {
      errors.push({ field: name, message: `${name} must be an integer from 1 to ${max}` });
      return dflt;
    }
    return Number(raw);
  };
  const page = intParam('page', 1, 1e9);
  const limit = intParam('limit', 20, 100);
  const sort = param('sort') ?? 'created';
  if (!SORTS.includes(sort)) errors.push({ field: 'sort', message: `sort must be one of ${SORTS.join(', ')}` });
  const status = param('status');
  if (status !== null && !STATUSES.includes(status))
    errors.push({ field: 'status', message: 'status must be one of todo, in_progress, done' });
  const assignee = param('assignee');
  if (assignee !== null && assignee === '') errors.push({ field: 'assignee', message: 'assignee must not be empty' });
  const dueBefore = param('dueBefore');
  if (dueBefore !== null && !isCalendarDate(dueBefore))
    errors.push({ field: 'dueBefore', message: 'dueBefore must be a calendar date YYYY-MM-DD' });
  if (errors.length) invalid(errors);

  let rows: Task[] = [];
  for (const t of project.tasks.values()) {
    if (status !== null && t.status !== status) continue;
    if (assignee !== null && t.assignee !== assignee) continue;
    if (dueBefore !== null && (t.dueDate === null || t.dueDate >= dueBefore)) continue;
    rows.push(t);
  }
  if (sort === '-created') rows.reverse();
  else if (sort === 'dueDate' || sort === '-dueDate') {
    const dir = sort === 'dueDate' ? 1 : -1;
    // Array.prototype.sort is stable: equal dates keep creation order.
    rows = rows.sort((a, b) => {
      if (a.dueDate === b.dueDate) return 0;
      if (a.dueDate === null) return 1;
      if (b.dueDate === null) return -1;
      return a.dueDate < b.dueDate ? -dir : dir;
    });
  }
  const total = rows.length;
  const start = (page - 1) * limit;
  return {
    data: start < total ? rows.slice(start, start + limit) : [],
    meta: { page, limit, total, totalPages: Math.ceil(total / limit) },
  };
}

function patchTask(t: Task, body: Record<string, unknown>): Task {
  const errors: FieldError[] = [];
  if (!Number.isInteger(body.version) || (body.version as number) < 1)
    errors.push({ field: 'version', message: 'version must be the integer version you last read' });
  checkTaskFields(body, errors, false);
  if (errors.length) invalid(errors);
  if (body.version !== t.version)
    throw new HttpError(409, 'version_conflict', `task ${t.id} is at version ${t.version}, not ${String(body.version)}`);
  if ('title' in body) t.title = body.title as string;
  if ('status' in body) t.status = body.status as Status;
  if ('assignee' in body) t.assignee = body.assignee as string | null;
  if ('dueDate' in body) t.dueDate = body.dueDate as string | null;
  t.version++;
  return t;
}

// ---------------------------------------------------------------- routing

type Route = { status: number; body?: unknown; location?: string };

function route(method: string, segments: string[], query: URLSearchParams, body: () => Record<string, unknown>): Route {
  const [a, id, sub, ...rest] = segments;
  if (rest.length === 0 && a === 'projects') {
    if (id === undefined && sub === undefined && method === 'POST') {
      const [status, p, location] = createProject(body());
      return { status, body: showProject(p), location };
    }
    if (id !== undefined && sub === undefined && method === 'GET') {
      const p = projects.get(id) ?? notFound(`project ${id}`);
      return { status: 200, body: showProject(p) };
    }
    if (id !== undefined && sub === 'tasks') {
      if (method === 'POST') {
        const p = projects.get(id) ?? notFound(`project ${id}`);
        const t = createTask(p, body());
        return { status: 201, body: t, location: `/tasks/${t.id}` };
      }
      if (method === 'GET') {
        const p = projects.get(id) ?? notFound(`project ${id}`);
        return { status: 200, body: listTasks(p, query) };
      }
    }
  }
  if (a === 'tasks' && id !== undefined && sub === undefined && rest.length === 0) {
    if (method === 'GET') return { status: 200, body: tasks.get(id) ?? notFound(`task ${id}`) };
    if (method === 'PATCH') {
      const t = tasks.get(id) ?? notFound(`task ${id}`);
      return { status: 200, body: patchTask(t, body()) };
    }
    if (method === 'DELETE') {
      const t = tasks.get(id) ?? notFound(`task ${id}`);
      tasks.delete(id);
      projects.get(t.projectId)?.tasks.delete(id);
      return { status: 204 };
    }
  }
  notFound('route');
}

function send(res: ServerResponse, r: Route): void {
  if (r.location) res.setHeader('location', r.location);
  if (r.body === undefined) {
    res.statusCode = r.status;
    res.end();
    return;
  }
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      notFound('route');
    }
    const body = (): Record<string, unknown> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        invalid([{ field: 'body', message: 'the body must be a JSON object' }]);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        invalid([{ field: 'body', message: 'the body must be a JSON object' }]);
      return parsed as Record<string, unknown>;
    };
    send(res, route(req.method ?? 'GET', segments, url.searchParams, body));
  } catch (e) {
    if (e instanceof HttpError) send(res, { status: e.status, body: { error: { code: e.code, message: e.message, details: e.details } } });
    else send(res, { status: 500, body: { error: { code: 'internal', message: 'internal error', details: [] } } });
  }
}

/** No request of the API comes near this; a bigger body is refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BODY_BYTES) {
      chunks.push(c);
      return;
    }
    if (!res.headersSent) send(res, { status: 413, body: { error: { code: 'too_large', message: 'the body is too large', details: [] } } });
    req.destroy();
  });
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});

// When grading, the reference listens on nothing: the grader hands it connections it made itself,
// so only the grader can reach it. Graded as a candidate's code, it listens on PORT.
if (process.send) {
  process.on('message', (m, socket) => {
    if (m === 'assay:connection' && socket) server.emit('connection', socket as Socket);
  });
} else server.listen(Number(process.env.PORT), '127.0.0.1');
