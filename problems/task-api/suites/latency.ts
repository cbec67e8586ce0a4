import { retrying, type HttpLatencyDef, type HttpRequest, type HttpResponse, type TestContext } from '@assay/sdk';
import { enc, newProject, newTask, STATUSES, taskView, tasksOf, word, type Page } from './api.js';

interface Seeded {
  projects: string[];
  /** Every task's id, in the order they were planned: the same task on both servers has the same index. */
  ids: string[];
}

/**
 * `projects` projects of `perProject` tasks each, with assorted statuses, assignees and due dates.
 * Everything is drawn first, so both servers get the same data. With `ordered`, each project's
 * tasks are created one after another (projects side by side), so both servers also see them in
 * the same order, which the `created` sort and pagination depend on; otherwise 50 at a time.
 */
async function seedProjects(ctx: TestContext, projects: number, perProject: number, ordered: boolean): Promise<Seeded> {
  const { rng } = ctx;
  // Set-up runs outside any test: a dropped connection here would abort the whole grading.
  const http = retrying(ctx.http, ctx.sleep);
  const people = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', null];
  const dueDate = () =>
    rng.int(0, 4) === 0
      ? null
      : `202${rng.int(4, 6)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const seeded: Seeded = { projects: [], ids: [] };
  for (let p = 0; p < projects; p++) seeded.projects.push(await newProject(http, rng));
  const plans = seeded.projects.map((project) => ({
    project,
    tasks: Array.from({ length: perProject }, () => ({
      title: `${word(rng)} ${'·'.repeat(rng.int(0, 40))}`,
      status: rng.pick(STATUSES),
      assignee: rng.pick(people),
      dueDate: dueDate(),
    })),
  }));
  if (ordered) {
    const made = await Promise.all(
      plans.map(async ({ project, tasks }) => {
        const ids: string[] = [];
        for (const fields of tasks) ids.push((await newTask(http, project, fields)).id);
        return ids;
      }),
    );
    seeded.ids = made.flat();
  } else
    for (const { project, tasks } of plans)
      for (let i = 0; i < tasks.length; i += 50)
        seeded.ids.push(...(await Promise.all(tasks.slice(i, i + 50).map((fields) => newTask(http, project, fields)))).map((t) => t.id));
  return seeded;
}

/**
 * A benchmark response as both servers must give it: the status, and the tasks with the ids each
 * server chose replaced by the index of the task (or project) they stand for.
 */
const indexes = new WeakMap<Seeded, Map<string, string>>();
function canonical(res: HttpResponse, state: unknown): unknown {
  const seeded = state as Seeded;
  let index = indexes.get(seeded);
  if (!index) {
    index = new Map([
      ...seeded.ids.map((id, i): [string, string] => [id, `task ${i}`]),
      ...seeded.projects.map((id, i): [string, string] => [id, `project ${i}`]),
    ]);
    indexes.set(seeded, index);
  }
  const task = (t: unknown) => {
    const view = taskView(t) as Record<string, unknown>;
    return typeof view === 'object' && view !== null
      ? { ...view, id: index.get(String(view.id)) ?? 'unknown', projectId: index.get(String(view.projectId)) ?? 'unknown' }
      : view;
  };
  const body = res.body as Partial<Page> | null;
  if (res.status !== 200) return { status: res.status };
  if (typeof body !== 'object' || body === null) return { status: res.status, body: res.text };
  if (Array.isArray(body.data)) return { status: res.status, meta: body.meta, data: body.data.map(task) };
  return { status: res.status, task: task(body) };
}

export const listLatency: HttpLatencyDef = {
  operation: 'GET /projects/:id/tasks',
  setup: (ctx) => seedProjects(ctx, 12, 150, true),
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
  compare: canonical,
  requests: 400,
  concurrency: 8,
};

export const getLatency: HttpLatencyDef = {
  operation: 'GET /tasks/:id',
  setup: (ctx) => seedProjects(ctx, 6, 250, false),
  request: (state, _i, rng): HttpRequest => ({ method: 'GET', path: `/tasks/${enc(rng.pick((state as Seeded).ids))}` }),
  compare: canonical,
  requests: 400,
  concurrency: 8,
};
