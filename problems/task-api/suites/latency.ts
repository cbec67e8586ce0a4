import { retrying, type HttpLatencyDef, type HttpRequest, type TestContext } from '@assay/sdk';
import { enc, newProject, newTask, STATUSES, tasksOf, word } from './api.js';

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

export const listLatency: HttpLatencyDef = {
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

export const getLatency: HttpLatencyDef = {
  operation: 'GET /tasks/:id',
  setup: (ctx) => seedProjects(ctx, 6, 250),
  request: (state, _i, rng): HttpRequest => ({ method: 'GET', path: `/tasks/${enc(rng.pick((state as { ids: string[] }).ids))}` }),
  requests: 400,
  concurrency: 8,
};
