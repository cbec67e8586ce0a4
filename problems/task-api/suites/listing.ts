import { expect, rest, test } from '@assay/sdk';
import { ids, invalid, list, newProject, newTask, taskView, tasksOf, titles, type Status, type Task } from './api.js';
import { randomHistory, randomQuery } from './model.js';

/** Listing: pagination, filters, sorting. */
export const listing = [
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
      dueBefore: ['dueBefore=2025-02-30', 'dueBefore=tomorrow', 'dueBefore=2100-02-29', 'dueBefore='],
      assignee: ['assignee='],
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
];
