import { expect, expectStatus, rest, test, type HttpResponse } from '@assay/sdk';
import { conflict, del, getTask, ids, invalid, list, newProject, newTask, notFound, patch, taskView } from './api.js';

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
  }),
];
