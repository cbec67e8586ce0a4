import { expect, expectHeader, expectStatus, pick, rest, sample, test } from '@assay/sdk';
import {
  conflict,
  enc,
  getTask,
  invalid,
  list,
  newProject,
  newTask,
  notFound,
  patch,
  postTask,
  taskView,
  titles,
  word,
  type Task,
} from './api.js';

/** The statement's examples (the samples), projects, and creating tasks. */
export const creating = [
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
      dueDate: ['2025-3-1', '2025-03-01T10:00:00Z', 20250301, ['2025-03-01'], 'x2025-03-01', '12025-03-01', ''],
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
    const notLeap = ['2023-02-29', '2100-02-29', '1900-02-29'];
    for (const dueDate of ['2025-02-30', ...notLeap, '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-01-32'])
      invalid(await postTask(http, project, { title: 'ok', dueDate }), `POST task with dueDate ${dueDate}`, ['dueDate']);
    for (const dueDate of ['2024-02-29', '2000-02-29', '2400-02-29', '2025-12-31', '2025-01-01'])
      expect((await newTask(http, project, { title: 'ok', dueDate })).dueDate, `dueDate ${dueDate}`).toBe(dueDate);
  }),

  test('a body that is not a JSON object is 422 naming the field body', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const t = await newTask(http, project, { title: 'keep' });
    const json = { 'content-type': 'application/json' };
    const bodies = ['{"title": "unterminated', 'null', '[{"title": "in an array"}]', '42', '"a title"', 'true'];
    for (const raw of bodies) {
      invalid(await rest(http).post('/projects', raw, json), `POST /projects with the body ${raw}`, ['body']);
      invalid(await postTask(http, project, raw, json), `POST a task with the body ${raw}`, ['body']);
      invalid(await rest(http).patch(`/tasks/${enc(t.id)}`, raw, json), `PATCH with the body ${raw}`, ['body']);
    }
    expect((await list(http, project)).meta.total, 'tasks in the project after only invalid creates').toBe(1);
    expect(taskView((await getTask(http, t.id)).body), 'task after only invalid PATCHes').toEqual(taskView(t));
  }),

  test('every invalid field is reported, not just the first', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const four = await postTask(http, project, { title: '', status: 'nope', assignee: 3, dueDate: '2025-02-30' });
    invalid(four, 'POST a task with four invalid fields', ['title', 'status', 'assignee', 'dueDate']);
    const t = await newTask(http, project, { title: 'ok' });
    const two = await patch(http, t.id, { status: 'nope', dueDate: 'soon' });
    invalid(two, 'PATCH without version and with two invalid fields', ['version', 'status', 'dueDate']);
  }),
];
