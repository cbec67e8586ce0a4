// SLOW: correct, but every request works on a private deep copy of the whole store (a JSON
// round trip, "like a transaction") and commits the copy back when it succeeds. Reads and
// writes are atomic, so the concurrency tests pass, but each request costs O(total data): with a
// few thousand tasks a GET takes milliseconds instead of microseconds.
import { createServer } from 'node:http';

let db = { nextId: 1, projects: {}, tasks: {}, order: [] };

const STATUSES = ['todo', 'in_progress', 'done'];
const SORTS = ['created', '-created', 'dueDate', '-dueDate'];

const fail = (status, code, message, details = []) => {
  throw Object.assign(new Error(message), { status, code, details });
};
const notFound = (what) => fail(404, 'not_found', `${what} not found`);
const invalid = (details) => fail(422, 'validation_failed', 'invalid request', details);

function isDate(s) {
  const m = typeof s === 'string' && /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}
const text = (v, max) => typeof v === 'string' && v.length <= max && v.trim().length > 0;

function taskErrors(b, creating) {
  const e = [];
  if ((creating || 'title' in b) && !text(b.title, 200)) e.push({ field: 'title', message: 'invalid title' });
  if ('status' in b && !STATUSES.includes(b.status)) e.push({ field: 'status', message: 'invalid status' });
  if ('assignee' in b && b.assignee !== null && !text(b.assignee, 100)) e.push({ field: 'assignee', message: 'invalid assignee' });
  if ('dueDate' in b && b.dueDate !== null && !isDate(b.dueDate)) e.push({ field: 'dueDate', message: 'invalid dueDate' });
  return e;
}

function run(tx, method, parts, query, readBody) {
  const [a, id, sub, extra] = parts;
  if (extra === undefined && a === 'projects') {
    if (id === undefined && method === 'POST') {
      const b = readBody();
      if (!text(b.name, 100)) invalid([{ field: 'name', message: 'invalid name' }]);
      const p = { id: String(tx.nextId++), name: b.name };
      tx.projects[p.id] = p;
      return { status: 201, body: p, location: `/projects/${p.id}` };
    }
    if (id !== undefined && sub === undefined && method === 'GET') return { status: 200, body: tx.projects[id] ?? notFound('project') };
    if (id !== undefined && sub === 'tasks' && method === 'POST') {
      if (!tx.projects[id]) notFound('project');
      const b = readBody();
      const errs = taskErrors(b, true);
      if (errs.length) invalid(errs);
      const t = {
        id: String(tx.nextId++),
        projectId: id,
        title: b.title,
        status: b.status ?? 'todo',
        assignee: b.assignee ?? null,
        dueDate: b.dueDate ?? null,
        version: 1,
      };
      tx.tasks[t.id] = t;
      tx.order.push(t.id);
      return { status: 201, body: t, location: `/tasks/${t.id}` };
    }
    if (id !== undefined && sub === 'tasks' && method === 'GET') {
      if (!tx.projects[id]) notFound('project');
      const errs = [];
      const num = (name, dflt, max) => {
        const v = query.get(name);
        if (v === null) return dflt;
        if (!/^\d+$/.test(v) || +v < 1 || +v > max) errs.push({ field: name, message: `invalid ${name}` });
        return +v;
      };
      const page = num('page', 1, 1e12);
      const limit = num('limit', 20, 100);
      const sort = query.get('sort') ?? 'created';
      const status = query.get('status');
      const assignee = query.get('assignee');
      const dueBefore = query.get('dueBefore');
      if (!SORTS.includes(sort)) errs.push({ field: 'sort', message: 'invalid sort' });
      if (status !== null && !STATUSES.includes(status)) errs.push({ field: 'status', message: 'invalid status' });
      if (assignee === '') errs.push({ field: 'assignee', message: 'invalid assignee' });
      if (dueBefore !== null && !isDate(dueBefore)) errs.push({ field: 'dueBefore', message: 'invalid dueBefore' });
      if (errs.length) invalid(errs);
      let rows = tx.order
        .map((tid) => tx.tasks[tid])
        .filter(
          (t) =>
            t.projectId === id &&
            (status === null || t.status === status) &&
            (assignee === null || t.assignee === assignee) &&
            (dueBefore === null || (t.dueDate !== null && t.dueDate < dueBefore)),
        );
      if (sort === '-created') rows.reverse();
      if (sort.endsWith('dueDate')) {
        const k = sort === 'dueDate' ? 1 : -1;
        rows.sort((x, y) =>
          x.dueDate === y.dueDate ? 0 : x.dueDate === null ? 1 : y.dueDate === null ? -1 : x.dueDate < y.dueDate ? -k : k,
        );
      }
      return {
        status: 200,
        body: {
          data: rows.slice((page - 1) * limit, page * limit),
          meta: { page, limit, total: rows.length, totalPages: Math.ceil(rows.length / limit) },
        },
      };
    }
  }
  if (a === 'tasks' && id !== undefined && sub === undefined) {
    const t = tx.tasks[id];
    if (method === 'GET') return { status: 200, body: t ?? notFound('task') };
    if (method === 'DELETE') {
      if (!t) notFound('task');
      delete tx.tasks[id];
      tx.order = tx.order.filter((x) => x !== id);
      return { status: 204 };
    }
    if (method === 'PATCH') {
      if (!t) notFound('task');
      const b = readBody();
      const errs = Number.isInteger(b.version) ? [] : [{ field: 'version', message: 'version is required' }];
      errs.push(...taskErrors(b, false));
      if (errs.length) invalid(errs);
      if (b.version !== t.version) fail(409, 'version_conflict', 'stale version');
      for (const k of ['title', 'status', 'assignee', 'dueDate']) if (k in b) t[k] = b[k];
      t.version++;
      return { status: 200, body: t };
    }
  }
  notFound('route');
}

createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    let out;
    try {
      const url = new URL(req.url, 'http://x');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const readBody = () => {
        let b;
        try {
          b = JSON.parse(raw);
        } catch {
          invalid([{ field: 'body', message: 'malformed JSON' }]);
        }
        if (typeof b !== 'object' || b === null || Array.isArray(b)) invalid([{ field: 'body', message: 'expected an object' }]);
        return b;
      };
      const tx = JSON.parse(JSON.stringify(db));
      out = run(tx, req.method, parts, url.searchParams, readBody);
      db = tx;
    } catch (e) {
      out = e.status
        ? { status: e.status, body: { error: { code: e.code, message: e.message, details: e.details } } }
        : { status: 500, body: { error: { code: 'internal', message: String(e), details: [] } } };
    }
    if (out.location) res.setHeader('Location', out.location);
    if (out.body === undefined) {
      res.writeHead(out.status).end();
      return;
    }
    res.writeHead(out.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(out.body));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
