import { countStatuses, expect, expectEveryStatus, fail, pick, test } from '@assay/sdk';
import { del, getTask, list, newProject, newTask, patch, postTask, type Task } from './api.js';

export const stress = [
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
