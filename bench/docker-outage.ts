/**
 * A Docker outage during a backlog (issue 9's "done means"): on private services (FaultRig:
 * a private redis-server, PostgreSQL and dockerd, never the shared ones), one worker process,
 * a backlog of trivial submissions of the canary fixture with webhooks; the engine is stopped
 * once gradings are in flight, kept down, then started again. Prints how long the backlog took
 * once the engine was back and the audit (target: all graded with their real verdicts, 0 lost,
 * 0 duplicated, 0 internal_error, no submission.failed webhook, 0 leftover containers).
 * Asserts nothing.
 *
 *   npx tsx bench/docker-outage.ts [outage seconds = 120] [submissions = 20]
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultRig, type SolutionKind } from '../worker/src/faults/FaultRig';
import { until } from '../worker/src/faults/privateServices';

const outageS = Number(process.argv[2] ?? 120);
const count = Number(process.argv[3] ?? 20);
const say = (line: string) => console.log(`[docker-outage] ${line}`);

const rig = await FaultRig.start({}, say);
try {
  const worker = rig.startWorker();
  await rig.workerReady(worker);
  const kinds: SolutionKind[] = Array.from({ length: count }, (_, i) => (['slow', 'accepted', 'wrong', 'accepted'] as const)[i % 4]!);
  const submittedAt = Date.now();
  const ids = await rig.submit(kinds);
  await until(
    'a grading in flight',
    async () => (await rig.docker.sandboxContainers()).some((c) => c.State === 'running') || undefined,
    120_000,
    100,
  );
  const before = await rig.statuses(ids);
  const finishedBefore = [...before.values()].filter((s) => s === 'completed' || s === 'failed').length;
  await rig.docker.stop();
  const stoppedAt = Date.now();
  say(`engine stopped ${stoppedAt - submittedAt} ms after submitting ${count} (${finishedBefore} finished before); down for ${outageS} s`);
  await sleep(outageS * 1000 - (Date.now() - stoppedAt));
  const during = [...(await rig.statuses(ids)).values()];
  say(
    `at the end of the outage: ${during.filter((s) => s === 'queued').length} queued, ${during.filter((s) => s === 'failed').length} failed`,
  );
  await rig.docker.start();
  const upAt = Date.now();
  const done = await rig.allDone(ids, 600_000);
  const audit = await rig.audit(ids);
  // The engine may answer once more while it shuts down: every pause and resume the worker logged.
  const resumes = [...worker.output().matchAll(/sandbox available again after (\d+) ms/g)].map((m) => `${m[1]} ms`);
  const pauses = worker.output().match(/grading paused until the engine answers/g)?.length ?? 0;
  say(
    `outage ${((upAt - stoppedAt) / 1000).toFixed(1)} s; the worker paused ${pauses}x and resumed after ${resumes.join(', ') || 'never'}`,
  );
  say(
    `backlog done ${((done - upAt) / 1000).toFixed(1)} s after the engine came back; ${((done - submittedAt) / 1000).toFixed(1)} s from submit to the last result`,
  );
  const verdicts: Record<string, number> = {};
  const { rows } = await rig.pool.query<{ verdict: string }>('SELECT verdict FROM results WHERE submission_id = ANY($1)', [ids]);
  for (const r of rows) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  say(`verdicts ${JSON.stringify(verdicts)} (expected ${JSON.stringify(countBy(ids.map((id) => rig.expected.get(id)!)))})`);
  say(
    `audit: lost ${audit.lost.length}, wrong verdicts ${audit.wrongVerdicts.length}, internal_error ${audit.internalErrors}, ` +
      `duplicated results ${audit.duplicatedResults}, duplicated deliveries ${audit.duplicatedDeliveries}, duplicated webhooks ${audit.duplicatedWebhooks}, ` +
      `failed webhooks ${audit.failedWebhooks}, missing webhooks ${audit.missingWebhooks}, leftover containers ${audit.leftoverContainers}`,
  );
  const { rows: attempts } = await rig.pool.query<{ max: number }>('SELECT max(attempts)::int AS max FROM submissions WHERE id = ANY($1)', [
    ids,
  ]);
  say(
    `max attempts spent by a submission: ${attempts[0]!.max}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await rig.close();
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
