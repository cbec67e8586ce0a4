import { expect, expectStatus, rest, test, type HttpResponse } from '@assay/sdk';
import { conflict, del, enc, getTask, ids, invalid, list, newProject, newTask, notFound, patch, taskView } from './api.js';

/** PATCH, DELETE and routing. */
export const updating = [
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
    notFound(await rest(http).get('/'), 'GET /');
  }),

  test('each route answers only its own methods; other methods and longer or other paths are 404', async ({ http, rng }) => {
    const project = await newProject(http, rng);
    const t = await newTask(http, project, { title: 'still here' });
    const [p, id] = [enc(project), enc(t.id)];
    const api = rest(http);
    const body = { name: 'n', title: 'x', version: 1, status: 'done' };
    const cases: Array<[string, () => Promise<HttpResponse>]> = [
      ['GET /projects', () => api.get('/projects')],
      ['PUT /projects', () => api.put('/projects', body)],
      ['DELETE /projects', () => api.delete('/projects')],
      ['POST /projects/:id', () => api.post(`/projects/${p}`, body)],
      ['PUT /projects/:id', () => api.put(`/projects/${p}`, body)],
      ['PATCH /projects/:id', () => api.patch(`/projects/${p}`, body)],
      ['DELETE /projects/:id', () => api.delete(`/projects/${p}`)],
      ['GET /projects/:id/other', () => api.get(`/projects/${p}/other`)],
      ['POST /projects/:id/other', () => api.post(`/projects/${p}/other`, body)],
      ['PUT /projects/:id/tasks', () => api.put(`/projects/${p}/tasks`, body)],
      ['PATCH /projects/:id/tasks', () => api.patch(`/projects/${p}/tasks`, body)],
      ['DELETE /projects/:id/tasks', () => api.delete(`/projects/${p}/tasks`)],
      ['GET /projects/:id/tasks/:taskId', () => api.get(`/projects/${p}/tasks/${id}`)],
      ['POST /projects/:id/tasks/:taskId', () => api.post(`/projects/${p}/tasks/${id}`, body)],
      ['DELETE /projects/:id/tasks/:taskId', () => api.delete(`/projects/${p}/tasks/${id}`)],
      ['GET /task/:taskId', () => api.get(`/task/${id}`)],
      ['GET /things/:taskId', () => api.get(`/things/${id}`)],
      ['PATCH /projects/:taskId', () => api.patch(`/projects/${id}`, body)],
      ['DELETE /projects/:taskId', () => api.delete(`/projects/${id}`)],
      ['GET /tasks/:id/extra', () => api.get(`/tasks/${id}/extra`)],
      ['PATCH /tasks/:id/extra', () => api.patch(`/tasks/${id}/extra`, body)],
      ['DELETE /tasks/:id/extra', () => api.delete(`/tasks/${id}/extra`)],
      ['POST /tasks/:id', () => api.post(`/tasks/${id}`, body)],
      ['PUT /tasks/:id', () => api.put(`/tasks/${id}`, body)],
      ['POST /tasks', () => api.post('/tasks', body)],
    ];
    // One at a time, in this order: each answer is checked before the next request is sent.
    for (const [what, send] of cases) notFound(await send(), what);
    expect(taskView((await getTask(http, t.id)).body), 'the task after only unrouted requests').toEqual(taskView(t));
    expect(ids(await list(http, project)), 'the project still lists just that task').toEqual([t.id]);
  }),
];
