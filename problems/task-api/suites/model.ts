import { expect, expectStatus, type HttpClient, type Rng } from '@assay/sdk';
import { del, newTask, patch, PEOPLE, STATUSES, taskView, word, type Task } from './api.js';

/** 60 seeded creates, patches and deletes; returns the tasks that should remain, as the model sees them. */
export async function randomHistory(http: HttpClient, rng: Rng, project: string): Promise<Task[]> {
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
export function randomQuery(rng: Rng, model: Task[]) {
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
