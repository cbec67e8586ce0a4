// WRONG: dates are checked with a regex plus Date.parse. V8 rolls impossible days over
// (Date.parse('2025-02-30') is 1 March), so due dates like 2025-02-30 or 2025-04-31 are accepted.
const express = require('express');

const STATUSES = ['todo', 'in_progress', 'done'];
const SORTS = ['created', '-created', 'dueDate', '-dueDate'];

const projects = new Map(); // id -> { id, name, tasks: [] }
const tasks = new Map(); // id -> task
let seq = 0;
const newId = (prefix) => `${prefix}_${(++seq).toString(36)}`;

class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
const notFound = (what) => new ApiError(404, 'not_found', `${what} was not found`);
const validation = (details) => new ApiError(422, 'validation_failed', 'validation failed', details);

function validDate(s) {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
}
const nonBlank = (v, max) => typeof v === 'string' && v.trim() !== '' && v.length <= max;
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function fieldErrors(body, { requireTitle }) {
  const errs = [];
  if ((requireTitle || has(body, 'title')) && !nonBlank(body.title, 200))
    errs.push({ field: 'title', message: 'must be a non-blank string (max 200)' });
  if (has(body, 'status') && !STATUSES.includes(body.status))
    errs.push({ field: 'status', message: `must be one of ${STATUSES.join(', ')}` });
  if (has(body, 'assignee') && body.assignee !== null && !nonBlank(body.assignee, 100))
    errs.push({ field: 'assignee', message: 'must be null or a non-blank string (max 100)' });
  if (has(body, 'dueDate') && body.dueDate !== null && !validDate(body.dueDate))
    errs.push({ field: 'dueDate', message: 'must be null or YYYY-MM-DD' });
  return errs;
}

function objectBody(req) {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw validation([{ field: 'body', message: 'expected a JSON object' }]);
  return b;
}

const app = express();
// Parse any body as JSON (strict: false so that `null` or `3` reach objectBody and get a 422).
app.use(express.json({ type: () => true, strict: false }));

app.post('/projects', (req, res) => {
  const body = objectBody(req);
  if (!nonBlank(body.name, 100)) throw validation([{ field: 'name', message: 'must be a non-blank string (max 100)' }]);
  const project = { id: newId('prj'), name: body.name, tasks: [] };
  projects.set(project.id, project);
  res.status(201).location(`/projects/${project.id}`).json({ id: project.id, name: project.name });
});

app.get('/projects/:id', (req, res) => {
  const p = projects.get(req.params.id);
  if (!p) throw notFound('project');
  res.json({ id: p.id, name: p.name });
});

app.post('/projects/:id/tasks', (req, res) => {
  const p = projects.get(req.params.id);
  if (!p) throw notFound('project');
  const body = objectBody(req);
  const errs = fieldErrors(body, { requireTitle: true });
  if (errs.length) throw validation(errs);
  const task = {
    id: newId('tsk'),
    projectId: p.id,
    title: body.title,
    status: body.status ?? 'todo',
    assignee: body.assignee ?? null,
    dueDate: body.dueDate ?? null,
    version: 1,
  };
  tasks.set(task.id, task);
  p.tasks.push(task);
  res.status(201).location(`/tasks/${task.id}`).json(task);
});

app.get('/projects/:id/tasks', (req, res) => {
  const p = projects.get(req.params.id);
  if (!p) throw notFound('project');
  const q = req.query;
  const errs = [];
  const positive = (name, dflt, max) => {
    if (q[name] === undefined) return dflt;
    const v = q[name];
    if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
      errs.push({ field: name, message: `must be an integer between 1 and ${max}` });
      return dflt;
    }
    return Number(v);
  };
  const page = positive('page', 1, Number.MAX_SAFE_INTEGER);
  const limit = positive('limit', 20, 100);
  const sort = q.sort ?? 'created';
  if (!SORTS.includes(sort)) errs.push({ field: 'sort', message: `must be one of ${SORTS.join(', ')}` });
  if (q.status !== undefined && !STATUSES.includes(q.status))
    errs.push({ field: 'status', message: `must be one of ${STATUSES.join(', ')}` });
  if (q.assignee !== undefined && (typeof q.assignee !== 'string' || q.assignee === ''))
    errs.push({ field: 'assignee', message: 'must be a name' });
  if (q.dueBefore !== undefined && !validDate(q.dueBefore)) errs.push({ field: 'dueBefore', message: 'must be YYYY-MM-DD' });
  if (errs.length) throw validation(errs);

  let rows = p.tasks.filter(
    (t) =>
      (q.status === undefined || t.status === q.status) &&
      (q.assignee === undefined || t.assignee === q.assignee) &&
      (q.dueBefore === undefined || (t.dueDate !== null && t.dueDate < q.dueBefore)),
  );
  if (sort === '-created') rows.reverse();
  if (sort === 'dueDate' || sort === '-dueDate') {
    const sign = sort === 'dueDate' ? 1 : -1;
    rows.sort((a, b) => {
      if (a.dueDate === null || b.dueDate === null) return (a.dueDate === null) - (b.dueDate === null);
      return a.dueDate === b.dueDate ? 0 : a.dueDate < b.dueDate ? -sign : sign;
    });
  }
  const from = (page - 1) * limit;
  res.json({ data: rows.slice(from, from + limit), meta: { page, limit, total: rows.length, totalPages: Math.ceil(rows.length / limit) } });
});

app.get('/tasks/:id', (req, res) => {
  const t = tasks.get(req.params.id);
  if (!t) throw notFound('task');
  res.json(t);
});

app.patch('/tasks/:id', (req, res) => {
  const t = tasks.get(req.params.id);
  if (!t) throw notFound('task');
  const body = objectBody(req);
  const errs = [];
  if (!Number.isInteger(body.version)) errs.push({ field: 'version', message: 'required: the version you last read' });
  errs.push(...fieldErrors(body, { requireTitle: false }));
  if (errs.length) throw validation(errs);
  if (body.version !== t.version) throw new ApiError(409, 'version_conflict', `the task is at version ${t.version}`);
  for (const k of ['title', 'status', 'assignee', 'dueDate']) if (has(body, k)) t[k] = body[k];
  t.version += 1;
  res.json(t);
});

app.delete('/tasks/:id', (req, res) => {
  const t = tasks.get(req.params.id);
  if (!t) throw notFound('task');
  tasks.delete(t.id);
  const p = projects.get(t.projectId);
  p.tasks.splice(p.tasks.indexOf(t), 1);
  res.status(204).end();
});

app.use((req, res, next) => next(notFound('route')));

app.use((err, req, res, next) => {
  if (err && err.type === 'entity.parse.failed') err = validation([{ field: 'body', message: 'malformed JSON' }]);
  if (!(err instanceof ApiError)) {
    console.error(err);
    err = new ApiError(500, 'internal', 'internal error');
  }
  res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
});

app.listen(Number(process.env.PORT), '127.0.0.1');
