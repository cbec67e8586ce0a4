import {
  defineSuites,
  expect,
  expectErrorBody,
  expectEveryStatus,
  expectHeader,
  expectStatus,
  fail,
  pick,
  rest,
  retrying,
  sample,
  test,
  countStatuses,
  type HttpClient,
  type HttpLatencyDef,
  type HttpRequest,
  type HttpResponse,
  type Rng,
  type TestContext,
} from '@assay/sdk';

// One server process serves every test, so each test creates its own project and only ever
// looks at what it created.

type Status = 'todo' | 'in_progress' | 'done';
interface Task {
  id: string;
  projectId: string;
  title: string;
  status: Status;
  assignee: string | null;
  dueDate: string | null;
  version: number;
}
interface Page {
  data: Task[];
  meta: { page: number; limit: number; total: number; totalPages: number };
}

/** The fields the statement defines (extra fields are allowed and ignored). */
const taskView = (v: unknown) => pick(v, ['id', 'projectId', 'title', 'status', 'assignee', 'dueDate', 'version']);
const ids = (p: Page) => p.data.map((t) => t.id);
const titles = (p: Page) => p.data.map((t) => t.title);

const enc = encodeURIComponent;
const tasksOf = (projectId: string) => `/projects/${enc(projectId)}/tasks`;
const postTask = (http: HttpClient, projectId: string, body: unknown, headers?: Record<string, string>) =>
  rest(http).post(tasksOf(projectId), body, headers);
const getTask = (http: HttpClient, id: string) => rest(http).get(`/tasks/${enc(id)}`);
const patch = (http: HttpClient, id: string, body: unknown) => rest(http).patch(`/tasks/${enc(id)}`, body);
const del = (http: HttpClient, id: string) => rest(http).delete(`/tasks/${enc(id)}`);

function word(rng: Rng): string {
  return `${rng.pick(['fix', 'write', 'ship', 'review', 'plan', 'test', 'deploy', 'draft'])} ${rng.pick(['login', 'docs', 'invoice', 'search', 'billing', 'report'])} ${rng.int(1, 99_999)}`;
}

async function newProject(http: HttpClient, rng: Rng): Promise<string> {
  const res = await rest(http).post('/projects', { name: `project ${rng.int(1, 1_000_000)}` });
  expectStatus(res, 201, 'POST /projects');
  const id = (res.body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id.length === 0) fail(`POST /projects: expected a string id in the body, got ${res.text.slice(0, 200)}`);
  return id;
}

async function newTask(http: HttpClient, projectId: string, fields: Record<string, unknown>): Promise<Task> {
  const res = await postTask(http, projectId, fields);
  expectStatus(res, 201, `POST /projects/${projectId}/tasks ${JSON.stringify(fields)}`);
  const t = res.body as Task;
  if (typeof t?.id !== 'string' || t.id.length === 0)
    fail(`POST /projects/${projectId}/tasks: expected a string id in the body, got ${res.text.slice(0, 200)}`);
  return t;
}

async function list(http: HttpClient, projectId: string, query = ''): Promise<Page> {
  const res = await rest(http).get(`${tasksOf(projectId)}${query ? `?${query}` : ''}`);
  expectStatus(res, 200, `GET /projects/:id/tasks${query ? `?${query}` : ''}`);
  const page = res.body as Page;
  if (!Array.isArray(page?.data) || typeof page.meta !== 'object' || page.meta === null)
    fail(`GET /projects/:id/tasks?${query}: expected { data: [...], meta: {...} }, got ${res.text.slice(0, 200)}`);
  return page;
}

/** The one error shape: { error: { code, message, details: [{ field, message }] } }; `fields` are the ones details must name. */
function expectError(res: HttpResponse, status: number, code: string, what: string, fields?: string[]): void {
  const details = expectErrorBody(res, status, code, what).details;
  if (!Array.isArray(details)) fail(`${what}: expected error.details to be an array, got ${JSON.stringify(details)}`);
  for (const d of details as Array<{ field?: unknown; message?: unknown } | null>)
    if (typeof d?.field !== 'string' || typeof d.message !== 'string')
      fail(`${what}: each entry of error.details must be { field, message } strings, got ${JSON.stringify(d)}`);
  if (fields) {
    const named = [...new Set((details as { field: string }[]).map((d) => d.field))].sort();
    expect(named, `${what}: fields named in error.details`).toEqual([...fields].sort());
  }
}
const invalid = (res: HttpResponse, what: string, fields?: string[]) => expectError(res, 422, 'validation_failed', what, fields);
const notFound = (res: HttpResponse, what: string) => expectError(res, 404, 'not_found', what);
const conflict = (res: HttpResponse, what: string) => expectError(res, 409, 'version_conflict', what);

// ---------------------------------------------------------------------------------------------

const correctness = [
  sample('creates a project and a task: 201, Location, and the task is readable there', async ({ http }) => {
    const p = await rest(http).post('/projects', { name: 'Website relaunch' });
    expectStatus(p, 201, 'POST /projects');
    const project = p.body as { id: string; name: string };
    expect(project.name, 'project name').toBe('Website relaunch');
    expectHeader(p, 'location', `/projects/${project.id}`, 'Location of the project');

    const res = await postTask(http, project.id, { title: 'Write the launch post', assignee: 'ada', dueDate: '2025-03-31' });
    expectStatus(res, 201, 'POST /projects/:id/tasks');
    expectHeader(res, 'content-type', /application\/json/, 'content-type is JSON');
    const task = res.body as Task;
    const fields = { title: 'Write the launch post', status: 'todo', assignee: 'ada', dueDate: '2025-03-31', version: 1 };
    expect(taskView(task), 'created task').toEqual({ id: task.id, projectId: project.id, ...fields });
    expectHeader(res, 'location', `/tasks/${task.id}`, 'Location of the task');

    const again = await rest(http).get(res.headers.location ?? '/tasks/missing');
    expectStatus(again, 200, 'GET Location');
    expect(taskView(again.body), 'task read back').toEqual(taskView(task));
  }),

  sample('lists tasks page by page with meta', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    for (let i = 1; i <= 5; i++) await newTask(http, project, { title: `step ${i}` });
    const page = await list(http, project, 'page=2&limit=2');
    expect(titles(page), 'titles on page 2').toEqual(['step 3', 'step 4']);
    expect(page.meta, 'meta').toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });
    expect(titles(await list(http, project, 'page=3&limit=2')), 'titles on page 3').toEqual(['step 5']);
  }),

  sample('PATCH updates only the fields sent and bumps the version; a stale version is 409', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const task = await newTask(http, project, { title: 'Fix login', assignee: 'grace' });
    const res = await patch(http, task.id, { version: 1, status: 'in_progress' });
    expectStatus(res, 200, 'PATCH with the current version');
    expect(taskView(res.body), 'updated task').toEqual({ ...taskView(task), status: 'in_progress', version: 2 });
    conflict(await patch(http, task.id, { version: 1, title: 'Fix logout' }), 'PATCH with version 1 after the task moved to version 2');
    const after = taskView((await getTask(http, task.id)).body);
    expect(after, 'task after the rejected PATCH').toEqual({ ...taskView(task), status: 'in_progress', version: 2 });
  }),

  sample('errors share one shape: 422 names the invalid fields, 404 for what does not exist', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const bad = await postTask(http, project, { title: '', status: 'blocked' });
    invalid(bad, 'POST a task with an empty title and an unknown status', ['title', 'status']);
    notFound(await getTask(http, 'no-such-task'), 'GET /tasks/no-such-task');
    notFound(await rest(http).get('/projects/no-such-project/tasks'), 'GET /projects/no-such-project/tasks');
  }),

  // ------------------------------------------------------------------ projects
  test('projects: name is validated, GET returns the project, unknown ids are 404', async ({ http, rng }) => {
    const name = 'x'.repeat(100);
    const ok = await rest(http).post('/projects', { name });
    expectStatus(ok, 201, 'POST /projects with a 100-character name');
    const id = (ok.body as { id: string }).id;
    const got = await rest(http).get(`/projects/${enc(id)}`);
    expectStatus(got, 200, 'GET /projects/:id');
    expect(pick(got.body, ['id', 'name']), 'project').toEqual({ id, name });
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'y'.repeat(101) }, { name: 42 }, { name: null }])
      invalid(await rest(http).post('/projects', body), `POST /projects ${JSON.stringify(body).slice(0, 60)}`, ['name']);
    notFound(await rest(http).get(`/projects/missing-${rng.int(1, 1e6)}`), 'GET /projects/<unknown>');
  }),

  // ------------------------------------------------------------------ create
  test('a task created with only a title gets the defaults', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const title = word(rng);
    const t = await newTask(http, project, { title });
    const defaults = { status: 'todo', assignee: null, dueDate: null, version: 1 };
    expect(taskView(t), 'created task').toEqual({ id: t.id, projectId: project, title, ...defaults });
    expect(taskView((await getTask(http, t.id)).body), 'GET /tasks/:id').toEqual(taskView(t));
  }),

  test('a task created with every field keeps them; ids are distinct', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const full = { title: 'a'.repeat(200), status: 'done', assignee: 'b'.repeat(100), dueDate: '2024-02-29' };
    const a = await newTask(http, project, full);
    expect(taskView(a), 'created task').toEqual({ id: a.id, projectId: project, ...full, version: 1 });
    const nulls = { title: 'second', status: 'in_progress', assignee: null, dueDate: null };
    const b = await newTask(http, project, nulls);
    expect(taskView(b), 'created task with explicit nulls').toEqual({ id: b.id, projectId: project, ...nulls, version: 1 });
    expect(a.id !== b.id, 'two tasks have different ids').toBe(true);
    expect(taskView((await getTask(http, a.id)).body), 'GET the first task').toEqual(taskView(a));
  }),

  test('creating a task in an unknown project is 404, even with an invalid body', async ({ http, rng }) => {
    const path = `/projects/missing-${rng.int(1, 1e6)}/tasks`;
    notFound(await rest(http).post(path, { title: 'ok' }), `POST ${path}`);
    notFound(await rest(http).post(path, { title: '' }), `POST ${path} with an invalid body`);
  }),

  test('task fields are validated on create (422 naming the field)', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const cases: Record<string, unknown[]> = {
      title: [undefined, 7, '   ', 'x'.repeat(201), null],
      status: ['blocked', null, 'TODO'],
      assignee: ['', 5, 'z'.repeat(101)],
      dueDate: ['2025-3-1', '2025-03-01T10:00:00Z', 20250301],
    };
    for (const [field, values] of Object.entries(cases))
      for (const value of values) {
        const body = field === 'title' ? (value === undefined ? {} : { title: value }) : { title: 'ok', [field]: value };
        invalid(await postTask(http, project, body), `POST task ${JSON.stringify(body).slice(0, 80)}`, [field]);
      }
    expect((await list(http, project)).meta.total, 'tasks in the project after only invalid creates').toBe(0);
  }),

  test('due dates must be real calendar dates', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    for (const dueDate of ['2025-02-30', '2023-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-01-32'])
      invalid(await postTask(http, project, { title: 'ok', dueDate }), `POST task with dueDate ${dueDate}`, ['dueDate']);
    for (const dueDate of ['2024-02-29', '2000-02-29', '2025-12-31', '2025-01-01'])
      expect((await newTask(http, project, { title: 'ok', dueDate })).dueDate, `dueDate ${dueDate}`).toBe(dueDate);
  }),

  test('a body that is not a JSON object is 422', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const json = { 'content-type': 'application/json' };
    invalid(await postTask(http, project, '{"title": "unterminated', json), 'POST malformed JSON');
    invalid(await postTask(http, project, [{ title: 'in an array' }]), 'POST a JSON array');
    invalid(await rest(http).post('/projects', 'null', json), 'POST /projects with the body null');
  }),

  test('every invalid field is reported, not just the first', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const four = await postTask(http, project, { title: '', status: 'nope', assignee: 3, dueDate: '2025-02-30' });
    invalid(four, 'POST a task with four invalid fields', ['title', 'status', 'assignee', 'dueDate']);
    const t = await newTask(http, project, { title: 'ok' });
    const two = await patch(http, t.id, { status: 'nope', dueDate: 'soon' });
    invalid(two, 'PATCH without version and with two invalid fields', ['version', 'status', 'dueDate']);
  }),

  // ------------------------------------------------------------------ list
  test('default pagination is page 1 of 20; pages past the end are empty', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const created: Task[] = [];
    for (let i = 0; i < 25; i++) created.push(await newTask(http, project, { title: `task ${i}` }));
    const first = await list(http, project);
    expect(ids(first), 'default page').toEqual(created.slice(0, 20).map((t) => t.id));
    expect(first.meta, 'default meta').toEqual({ page: 1, limit: 20, total: 25, totalPages: 2 });
    const second = await list(http, project, 'page=2');
    expect(ids(second), 'page 2').toEqual(created.slice(20).map((t) => t.id));
    expect(second.meta, 'page 2 meta').toEqual({ page: 2, limit: 20, total: 25, totalPages: 2 });
    const beyond = await list(http, project, 'page=9&limit=10');
    expect(beyond.data, 'page 9').toEqual([]);
    expect(beyond.meta, 'page 9 meta').toEqual({ page: 9, limit: 10, total: 25, totalPages: 3 });
    const all = await list(http, project, 'limit=100');
    expect(ids(all), 'limit=100').toEqual(created.map((t) => t.id));
    expect(taskView(all.data[7]), 'listed task').toEqual(taskView(created[7]));
    const exact = await list(http, project, 'limit=5&page=5');
    expect(exact.meta, 'meta when limit divides total').toEqual({ page: 5, limit: 5, total: 25, totalPages: 5 });
  }),

  test('an empty project lists nothing with totalPages 0', async ({ http, rng }) => {
    const page = await list(http, await newProject(http, rng));
    expect(page, 'empty list').toEqual({ data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } });
  }),

  test('a list shows only its own project', async ({ http, rng }) => {
    const [a, b] = [await newProject(http, rng), await newProject(http, rng)];
    const ta = await newTask(http, a, { title: 'in a', status: 'done' });
    await newTask(http, b, { title: 'in b', status: 'done' });
    const tb2 = await newTask(http, b, { title: 'in b too' });
    const pa = await list(http, a);
    expect(ids(pa), 'tasks of project a').toEqual([ta.id]);
    expect(pa.meta.total, 'total of project a').toBe(1);
    expect(ids(await list(http, b, 'status=todo')), 'todo tasks of project b').toEqual([tb2.id]);
  }),

  test('invalid query parameters are 422 naming the parameter', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    await newTask(http, project, { title: 'one' });
    const cases: Record<string, string[]> = {
      page: ['page=0', 'page=-1', 'page=abc', 'page=2.5'],
      limit: ['limit=0', 'limit=101', 'limit=ten'],
      sort: ['sort=title', 'sort=dueDate,created'],
      status: ['status=blocked'],
      dueBefore: ['dueBefore=2025-02-30', 'dueBefore=tomorrow'],
    };
    const checks = Object.entries(cases).flatMap(([param, qs]) => qs.map((q): [string, string[]] => [q, [param]]));
    checks.push(['page=0&limit=500&status=open', ['page', 'limit', 'status']]);
    for (const [q, fields] of checks) invalid(await rest(http).get(`${tasksOf(project)}?${q}`), `GET tasks?${q}`, fields);
    expect((await list(http, project, 'unknownParam=1')).meta.total, 'unknown parameters are ignored').toBe(1);
  }),

  test('filters by status, assignee and dueBefore (strictly before; no due date never matches)', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const specs: Array<[Status, string | null, string | null]> = [
      ['todo', 'ada', '2025-03-01'],
      ['done', 'ada', '2025-02-28'],
      ['todo', 'bob', null],
      ['in_progress', null, '2025-03-02'],
      ['todo', 'ada', '2024-12-31'],
      ['done', 'bob', '2025-03-01'],
      ['todo', 'Ada', '2025-01-15'],
    ];
    for (const [i, [status, assignee, dueDate]] of specs.entries())
      await newTask(http, project, { title: `t${i}`, status, assignee, dueDate });
    const listed = async (q: string) => titles(await list(http, project, q));
    expect(await listed('status=todo'), 'status=todo').toEqual(['t0', 't2', 't4', 't6']);
    expect(await listed('status=in_progress'), 'status=in_progress').toEqual(['t3']);
    expect(await listed('assignee=ada'), 'assignee=ada (exact, case-sensitive)').toEqual(['t0', 't1', 't4']);
    expect(await listed('dueBefore=2025-03-01'), 'dueBefore=2025-03-01').toEqual(['t1', 't4', 't6']);
    expect(await listed('dueBefore=2025-03-02'), 'dueBefore=2025-03-02').toEqual(['t0', 't1', 't4', 't5', 't6']);
    expect(await listed('status=todo&assignee=ada&dueBefore=2025-03-01'), 'all three filters').toEqual(['t4']);
    const filtered = await list(http, project, 'status=todo&limit=3&page=2');
    expect(titles(filtered), 'filtered page 2').toEqual(['t6']);
    expect(filtered.meta, 'meta counts the filtered tasks').toEqual({ page: 2, limit: 3, total: 4, totalPages: 2 });
    const none = (await list(http, project, 'status=done&assignee=carol')).meta;
    expect(none, 'no match').toEqual({ page: 1, limit: 20, total: 0, totalPages: 0 });
  }),

  test('sorts by creation order or due date, ties in creation order, no due date last', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const dates = ['2025-05-01', null, '2025-01-10', '2025-05-01', null, '2024-11-30', '2025-01-10', '2026-01-01'];
    for (const [i, dueDate] of dates.entries()) await newTask(http, project, { title: `s${i}`, dueDate });
    const order = async (q: string) => titles(await list(http, project, q));
    expect(await order('sort=created'), 'sort=created').toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
    expect(await order('sort=-created'), 'sort=-created').toEqual(['s7', 's6', 's5', 's4', 's3', 's2', 's1', 's0']);
    expect(await order('sort=dueDate'), 'sort=dueDate').toEqual(['s5', 's2', 's6', 's0', 's3', 's7', 's1', 's4']);
    expect(await order('sort=-dueDate'), 'sort=-dueDate').toEqual(['s7', 's0', 's3', 's2', 's6', 's5', 's1', 's4']);
    expect(await order('sort=dueDate&limit=3&page=2'), 'sort=dueDate, page 2 of 3').toEqual(['s0', 's3', 's7']);
    expect(await order('sort=-created&dueBefore=2025-05-01'), 'sort with a filter').toEqual(['s6', 's5', 's2']);
  }),

  test('a seeded sequence of creates, patches and deletes lists like a model', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const model = await randomHistory(http, rng, project);
    for (let q = 0; q < 12; q++) {
      const { query, rows, page, limit } = randomQuery(rng, model);
      const got = await list(http, project, query);
      const totalPages = Math.ceil(rows.length / limit);
      expect(got.data.map(taskView), `GET tasks?${query}`).toEqual(rows.slice((page - 1) * limit, page * limit).map(taskView));
      expect(got.meta, `meta of GET tasks?${query}`).toEqual({ page, limit, total: rows.length, totalPages });
    }
  }),

  // ------------------------------------------------------------------ patch
  test('PATCH leaves absent fields alone, null clears assignee and dueDate', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const t = await newTask(http, project, { title: 'Plan sprint', status: 'in_progress', assignee: 'ada', dueDate: '2025-06-30' });
    // [what, body (after the version), what changes]; the versions go 1, 2, 3, 4
    const steps: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['PATCH title', { title: 'Plan the sprint' }, { title: 'Plan the sprint' }],
      ['PATCH assignee null', { assignee: null }, { assignee: null }],
      ['PATCH dueDate null and assignee', { dueDate: null, assignee: 'bob' }, { dueDate: null, assignee: 'bob' }],
      ['PATCH with only the version', {}, {}],
    ];
    let want = taskView(t);
    let res: HttpResponse | undefined;
    for (const [i, [what, body, change]] of steps.entries()) {
      res = await patch(http, t.id, { version: i + 1, ...body });
      expectStatus(res, 200, what);
      want = { ...want, ...change, version: i + 2 };
      expect(taskView(res.body), `after ${what}`).toEqual(want);
    }
    expect(taskView((await getTask(http, t.id)).body), 'GET after the PATCHes').toEqual(taskView(res!.body));
  }),

  test('PATCH cannot change id, projectId or set the version', async ({ http, rng }) => {
    const [project, other] = [await newProject(http, rng), await newProject(http, rng)];
    const t = await newTask(http, project, { title: 'Keep me' });
    const res = await patch(http, t.id, { version: 1, id: 'hijacked', projectId: other, title: 'Kept' });
    expectStatus(res, 200, 'PATCH with id and projectId in the body');
    expect(taskView(res.body), 'after the PATCH').toEqual({ ...taskView(t), title: 'Kept', version: 2 });
    expect(ids(await list(http, project)), 'still listed in its project').toEqual([t.id]);
    expect((await list(http, other)).meta.total, 'not moved to the other project').toBe(0);
    notFound(await getTask(http, 'hijacked'), 'GET /tasks/hijacked');
  }),

  test('PATCH validation: 422 leaves the task unchanged; version is required and must be an integer', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const t = await newTask(http, project, { title: 'Stay', assignee: 'ada' });
    const cases: Array<[unknown, string]> = [
      [{ title: 'no version' }, 'version'],
      [{ version: '1', title: 'string version' }, 'version'],
      [{ version: 1.5 }, 'version'],
      [{ version: 1, title: '' }, 'title'],
      [{ version: 1, title: null }, 'title'],
      [{ version: 1, status: 'archived' }, 'status'],
      [{ version: 1, assignee: '' }, 'assignee'],
      [{ version: 1, dueDate: '2025-02-29' }, 'dueDate'],
      [{ version: 1, title: 'fine', status: 'nope' }, 'status'],
    ];
    for (const [body, field] of cases) invalid(await patch(http, t.id, body), `PATCH ${JSON.stringify(body)}`, [field]);
    invalid(await patch(http, t.id, [1]), 'PATCH with a JSON array');
    expect(taskView((await getTask(http, t.id)).body), 'task after only invalid PATCHes').toEqual(taskView(t));
  }),

  test('PATCH: 404 comes first, then 422, then 409', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const t = await newTask(http, project, { title: 'Order' });
    expectStatus(await patch(http, t.id, { version: 1, status: 'done' }), 200, 'PATCH to version 2');
    notFound(await patch(http, `missing-${rng.int(1, 1e6)}`, { version: 1, status: 'done' }), 'PATCH an unknown task');
    notFound(await patch(http, `missing-${rng.int(1, 1e6)}`, { status: 'bad' }), 'PATCH an unknown task with an invalid body');
    invalid(await patch(http, t.id, { version: 1, status: 'bad' }), 'stale version and invalid status', ['status']);
    conflict(await patch(http, t.id, { version: 1, status: 'todo' }), 'stale version, valid body');
    conflict(await patch(http, t.id, { version: 3, status: 'todo' }), 'a version from the future');
    const after = taskView((await getTask(http, t.id)).body);
    expect(after, 'task after the rejected PATCHes').toEqual({ ...taskView(t), status: 'done', version: 2 });
  }),

  // ------------------------------------------------------------------ delete and routing
  test('DELETE answers 204 with no body; the task is gone everywhere', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const keep = await newTask(http, project, { title: 'keep' });
    const gone = await newTask(http, project, { title: 'gone' });
    const res = await del(http, gone.id);
    expectStatus(res, 204, 'DELETE /tasks/:id');
    expect(res.text, 'body of the 204').toBe('');
    notFound(await getTask(http, gone.id), 'GET a deleted task');
    notFound(await patch(http, gone.id, { version: 1, title: 'back' }), 'PATCH a deleted task');
    notFound(await del(http, gone.id), 'DELETE it again');
    const page = await list(http, project);
    expect(ids(page), 'listed after the delete').toEqual([keep.id]);
    expect(page.meta.total, 'total after the delete').toBe(1);
  }),

  test('unknown routes are 404 in the error shape', async ({ http }) => {
    notFound(await rest(http).get('/nothing-here'), 'GET /nothing-here');
    notFound(await rest(http).get('/tasks/a/b'), 'GET /tasks/a/b');
  }),
];

// ---------------------------------------------------------------------------------------------

const PEOPLE = ['ada', 'bob', 'cy', null];
const STATUSES: Status[] = ['todo', 'in_progress', 'done'];

/** 60 seeded creates, patches and deletes; returns the tasks that should remain, as the model sees them. */
async function randomHistory(http: HttpClient, rng: Rng, project: string): Promise<Task[]> {
  const model: Task[] = [];
  const date = () => (rng.int(0, 3) === 0 ? null : `2025-0${rng.int(1, 9)}-${String(rng.int(1, 28)).padStart(2, '0')}`);
  for (let step = 0; step < 60; step++) {
    const r = rng.int(0, 9);
    if (r < 5 || model.length === 0)
      model.push(
        await newTask(http, project, { title: word(rng), status: rng.pick(STATUSES), assignee: rng.pick(PEOPLE), dueDate: date() }),
      );
    else if (r < 8) {
      const t = rng.pick(model);
      const change: Record<string, unknown> = { version: t.version };
      if (rng.int(0, 1)) change.status = rng.pick(STATUSES);
      if (rng.int(0, 1)) change.assignee = rng.pick(PEOPLE);
      if (rng.int(0, 1)) change.dueDate = date();
      const res = await patch(http, t.id, change);
      expectStatus(res, 200, `PATCH ${JSON.stringify(change)}`);
      Object.assign(t, change, { version: t.version + 1 });
      expect(taskView(res.body), 'patched task').toEqual(taskView(t));
    } else {
      const t = model.splice(rng.int(0, model.length - 1), 1)[0]!;
      expectStatus(await del(http, t.id), 204, 'DELETE /tasks/:id');
    }
  }
  return model;
}

/** A seeded list query and the rows the statement says it selects, in order. */
function randomQuery(rng: Rng, model: Task[]) {
  const status = rng.int(0, 1) ? rng.pick(STATUSES) : null;
  const assignee = rng.int(0, 2) === 0 ? rng.pick(['ada', 'bob', 'cy']) : null;
  const before = rng.int(0, 2) === 0 ? `2025-0${rng.int(2, 9)}-15` : null;
  const sort = rng.pick(['created', '-created', 'dueDate', '-dueDate']);
  const limit = rng.int(1, 12);
  let rows = model.filter(
    (t) =>
      (status === null || t.status === status) &&
      (assignee === null || t.assignee === assignee) &&
      (before === null || (t.dueDate !== null && t.dueDate < before)),
  );
  if (sort === '-created') rows = [...rows].reverse();
  if (sort.endsWith('dueDate')) {
    const dir = sort === 'dueDate' ? 1 : -1;
    rows = [...rows].sort((a, b) =>
      a.dueDate === b.dueDate ? 0 : a.dueDate === null ? 1 : b.dueDate === null ? -1 : a.dueDate < b.dueDate ? -dir : dir,
    );
  }
  const page = rng.int(1, Math.max(1, Math.ceil(rows.length / limit)));
  const params = [status && `status=${status}`, assignee && `assignee=${assignee}`, before && `dueBefore=${before}`];
  const query = [...params, `sort=${sort}`, `limit=${limit}`, `page=${page}`].filter(Boolean).join('&');
  return { query, rows, page, limit };
}

const stress = [
  test(
    'concurrent conflicting PATCHes: exactly one wins each round',
    async ({ http, rng }) => {
      const t = await newTask(http, await newProject(http, rng), { title: 'contended' });
      for (let round = 1; round <= 4; round++) {
        const n = 40;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) => patch(http, t.id, { version: round, title: `round ${round} writer ${i}` })),
        );
        const winners = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
        const losers = results.filter((r) => r.status === 409).length;
        if (winners.length !== 1 || losers !== n - 1)
          fail(
            `round ${round}: ${n} PATCHes with version ${round} at once: expected one 200 and ${n - 1} 409s, got ${winners.length} × 200 and ${losers} × 409 (statuses ${Object.keys(countStatuses(results)).join(', ')})`,
          );
        const now = (await getTask(http, t.id)).body as Task;
        const want = { title: `round ${round} writer ${winners[0]}`, version: round + 1 };
        expect(pick(now, ['title', 'version']), `task after round ${round}`).toEqual(want);
      }
    },
    { timeoutMs: 20_000 },
  ),

  test(
    'read-modify-write clients retrying on 409 lose no update',
    async ({ http, rng }) => {
      const t = await newTask(http, await newProject(http, rng), { title: 'counter' });
      const clients = 16;
      const succeeded: number[] = [];
      const client = async (c: number) => {
        for (let attempt = 0; attempt < 200; attempt++) {
          const cur = (await getTask(http, t.id)).body as Task;
          const res = await patch(http, t.id, { version: cur.version, assignee: `client-${c}` });
          if (res.status === 200) return void succeeded.push(c);
          if (res.status !== 409) fail(`client ${c}: PATCH answered ${res.status} ${res.text.slice(0, 200)}`);
        }
        fail(`client ${c} never got its update in after 200 attempts`);
      };
      await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
      const final = (await getTask(http, t.id)).body as Task;
      expect(succeeded.length, 'clients whose update was accepted').toBe(clients);
      expect(final.version, `version after ${clients} accepted updates from version 1`).toBe(clients + 1);
    },
    { timeoutMs: 30_000 },
  ),

  test(
    '200 concurrent creates in one project: distinct ids, all listed, each readable',
    async ({ http, rng }) => {
      const project = await newProject(http, rng);
      const n = 200;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => postTask(http, project, { title: `bulk ${i}` })));
      expectEveryStatus(results, 201, 'concurrent creates');
      const made = results.map((r) => r.body as Task);
      expect(new Set(made.map((t) => t.id)).size, 'distinct ids').toBe(n);
      const page = await list(http, project, 'limit=100&page=2');
      expect(page.meta, 'meta').toEqual({ page: 2, limit: 100, total: n, totalPages: 2 });
      const reads = await Promise.all(made.map((t) => getTask(http, t.id)));
      reads.forEach((r, i) => {
        if (r.status !== 200 || (r.body as Task).title !== `bulk ${i}`)
          fail(`GET /tasks/${made[i]!.id}: expected "bulk ${i}", got ${r.status} ${r.text.slice(0, 200)}`);
      });
    },
    { timeoutMs: 30_000 },
  ),

  test(
    'concurrent PATCHes on different tasks all succeed; concurrent deletes of one task: one 204',
    async ({ http, rng }) => {
      const project = await newProject(http, rng);
      const made: Task[] = [];
      for (let i = 0; i < 30; i++) made.push(await newTask(http, project, { title: `p${i}` }));
      const res = await Promise.all(made.map((t, i) => patch(http, t.id, { version: 1, status: 'done', assignee: `a${i}` })));
      expect(
        res.map((r) => r.status),
        'statuses of 30 PATCHes on 30 tasks',
      ).toEqual(made.map(() => 200));
      expect((await list(http, project, 'status=done&limit=100')).meta.total, 'done tasks').toBe(30);
      const victim = made[rng.int(0, made.length - 1)]!;
      const dels = countStatuses(await Promise.all(Array.from({ length: 20 }, () => del(http, victim.id))));
      expect([dels[204] ?? 0, dels[404] ?? 0], '[204s, 404s] of 20 concurrent DELETEs').toEqual([1, 19]);
    },
    { timeoutMs: 30_000 },
  ),
];

// ---------------------------------------------------------------------------------------------

/** `projects` projects of `perProject` tasks each, with assorted statuses, assignees and due dates. */
async function seedProjects(ctx: TestContext, projects: number, perProject: number): Promise<{ projects: string[]; ids: string[] }> {
  const { rng } = ctx;
  // Set-up runs outside any test: a dropped connection here would abort the whole grading.
  const http = retrying(ctx.http, ctx.sleep);
  const people = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', null];
  const seeded = { projects: [] as string[], ids: [] as string[] };
  const dueDate = () =>
    rng.int(0, 4) === 0
      ? null
      : `202${rng.int(4, 6)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  for (let p = 0; p < projects; p++) {
    const project = await newProject(http, rng);
    seeded.projects.push(project);
    for (let i = 0; i < perProject; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, perProject - i) }, () =>
          newTask(http, project, {
            title: `${word(rng)} ${'·'.repeat(rng.int(0, 40))}`,
            status: rng.pick(STATUSES),
            assignee: rng.pick(people),
            dueDate: dueDate(),
          }),
        ),
      );
      seeded.ids.push(...batch.map((t) => t.id));
    }
  }
  return seeded;
}

const listLatency: HttpLatencyDef = {
  operation: 'GET /projects/:id/tasks',
  setup: (ctx) => seedProjects(ctx, 12, 150),
  request: (state, _i, rng): HttpRequest => {
    const { projects } = state as { projects: string[] };
    const q = [
      rng.int(0, 1) ? `status=${rng.pick(STATUSES)}` : '',
      rng.int(0, 2) === 0 ? `assignee=${rng.pick(['ada', 'bob', 'cy'])}` : '',
      rng.int(0, 2) === 0 ? `dueBefore=2025-${String(rng.int(1, 12)).padStart(2, '0')}-01` : '',
      `sort=${rng.pick(['created', '-created', 'dueDate', '-dueDate'])}`,
      `limit=${rng.pick([10, 20, 50])}`,
      `page=${rng.int(1, 2)}`,
    ].filter(Boolean);
    return { method: 'GET', path: `${tasksOf(rng.pick(projects))}?${q.join('&')}` };
  },
  requests: 400,
  concurrency: 8,
};

const getLatency: HttpLatencyDef = {
  operation: 'GET /tasks/:id',
  setup: (ctx) => seedProjects(ctx, 6, 250),
  request: (state, _i, rng): HttpRequest => ({ method: 'GET', path: `/tasks/${enc(rng.pick((state as { ids: string[] }).ids))}` }),
  requests: 400,
  concurrency: 8,
};

// The list benchmark runs last, when the most data is stored.
export default defineSuites({ correctness, stress, latency: [getLatency, listLatency] });
