/**
 * Re-grading over HTTP and readiness during a sandbox outage, with a scripted engine on real
 * PostgreSQL and Redis: an organisation re-grades its own failed submission (not another's, not
 * a completed one, not without a key); /readyz and /metrics say when grading is paused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '@assay/contracts';
import { SandboxUnavailableError } from '@assay/grader';
import { createApiKey } from '@assay/platform';
import type { GradingEngine } from '@assay/worker';
import { startTestApi, type TestApi } from '../testing';

let failing = true;
let sandboxDown = false;
const engine: GradingEngine = {
  async grade(req) {
    const now = new Date().toISOString();
    const verdict = failing ? 'internal_error' : 'accepted';
    const result: Result = {
      schemaVersion: 1,
      verdict,
      score: verdict === 'accepted' ? 100 : 0,
      summary: verdict === 'accepted' ? 'every suite passed' : 'the sandbox could not start',
      problem: { id: req.problem.manifest.id, version: req.problem.manifest.version },
      language: req.language,
      suites: [],
      latency: [],
      complexity: [],
      staticHints: [],
      compile: { ok: true, diagnostics: [] },
      resources: { cpuMs: 1, peakMemoryBytes: 1, wallMs: 1 },
      output: { stdout: '', stderr: '', truncated: false },
      timings: { startedAt: now, finishedAt: now },
      graderVersion: 'scripted',
    };
    return result;
  },
  async reapOrphans() {
    return 0;
  },
  async checkSandbox() {
    if (sandboxDown) throw new SandboxUnavailableError('the Docker engine does not answer: connect ENOENT /tmp/none.sock');
  },
  async ping() {},
  async close() {},
};

let t: TestApi;
let key: string;
let otherKey: string;

async function until(id: string, status: string, auth: Record<string, string>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await t.request('GET', `/v1/submissions/${id}`, { headers: auth });
    if (r.body?.status === status) return r.body;
    if (Date.now() > deadline) throw new Error(`submission ${id} is ${r.body?.status}, not ${status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

beforeAll(async () => {
  t = await startTestApi(
    'regrade',
    { RUN_WORKER: 'true', GRADING_ATTEMPTS: '2', GRADING_BACKOFF_MS: '10', DOCKER_CHECK_INTERVAL_MS: '100' },
    engine,
  );
  key = (await createApiKey(t.api.ctx.pool, 'Regraders')).key;
  otherKey = (await createApiKey(t.api.ctx.pool, 'Someone Else')).key;
});
afterAll(async () => {
  await t?.close();
});

describe('POST /v1/submissions/:id/regrade', () => {
  it("grades an organisation's failed submission again; refuses others, completed ones and anonymous callers", async () => {
    const auth = { authorization: `Bearer ${key}` };
    const files = [{ path: 'solution.ts', content: 'export class LRUCache {}' }];
    const sub = await t.request('POST', '/v1/submissions', {
      body: { problemId: 'lru-cache', language: 'typescript', files },
      headers: auth,
    });
    expect(sub.status).toBe(202);
    const id = sub.body.id as string;
    expect(await until(id, 'failed', auth)).toMatchObject({ result: { verdict: 'internal_error' } });

    const anonymous = await t.request('POST', `/v1/submissions/${id}/regrade`);
    expect(anonymous.status).toBe(401);
    const other = await t.request('POST', `/v1/submissions/${id}/regrade`, { headers: { authorization: `Bearer ${otherKey}` } });
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const unknown = await t.request('POST', `/v1/submissions/00000000-0000-4000-8000-000000000000/regrade`, { headers: auth });
    expect(unknown.status).toBe(404);
    const notUuid = await t.request('POST', `/v1/submissions/not-a-uuid/regrade`, { headers: auth });
    expect(notUuid.status).toBe(404);

    failing = false;
    const again = await t.request('POST', `/v1/submissions/${id}/regrade`, { headers: auth });
    expect(again.status).toBe(202);
    expect(again.headers.get('location')).toMatch(new RegExp(`/v1/submissions/${id}$`));
    expect(again.body).toMatchObject({ id, status: 'queued' });
    expect(again.body.result ?? null).toBeNull();
    expect(await until(id, 'completed', auth)).toMatchObject({ result: { verdict: 'accepted', score: 100 } });
    const { rows } = await t.api.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [id]);
    expect(rows[0]!.n).toBe(1);

    const completed = await t.request('POST', `/v1/submissions/${id}/regrade`, { headers: auth });
    expect(completed.status).toBe(409);
    expect(completed.body).toMatchObject({ status: 409, submissionStatus: 'completed' });
    expect(completed.body.detail).toMatch(/only a failed submission/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/v1/submissions/{id}/regrade'].post.responses)).toEqual(
      expect.arrayContaining(['202', '401', '404', '409']),
    );
  });
});

describe('readiness during a sandbox outage', () => {
  it('/readyz is 503 naming the paused worker, /metrics shows it, and both recover by themselves', async () => {
    sandboxDown = true;
    const deadline = Date.now() + 10_000;
    let ready = await t.request('GET', '/readyz');
    while (ready.status !== 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await t.request('GET', '/readyz');
    }
    expect(ready.status).toBe(503);
    expect(ready.body.checks.docker).toMatchObject({ ok: false });
    expect(ready.body.checks.docker.detail).toMatch(/grading paused since .*does not answer/);
    expect((await t.request('GET', '/metrics')).text).toMatch(/^assay_sandbox_available 0$/m);
    sandboxDown = false;
    while ((ready = await t.request('GET', '/readyz')).status !== 200 && Date.now() < deadline + 10_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(ready.status).toBe(200);
    expect((await t.request('GET', '/metrics')).text).toMatch(/^assay_sandbox_available 1$/m);
  });
});
