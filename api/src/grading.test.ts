/**
 * End to end with real Docker: submit over HTTP → live progress over SSE → the final result →
 * signed webhooks (the submission's callbackUrl and the organisation's endpoint) received by a
 * local receiver and verified → delivery log → replay. Uses the lru-cache reference solution.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultSchema } from '@assay/contracts';
import { loadConfig, createApiKey, createLogger, verifyWebhook } from '@assay/platform';
import { createGradingEngine } from '@assay/worker';
import { readSse } from './sse';
import { startTestApi, type TestApi } from './testing';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let t: TestApi;
let key: string;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
let failFirstEndpointCall = true;

function waitFor<T>(fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = fn();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/endpoint' && failFirstEndpointCall) {
        failFirstEndpointCall = false;
        res.writeHead(503).end('try later');
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await startTestApi('grading', { RUN_WORKER: 'true', WORKER_CONCURRENCY: '1', WEBHOOK_BACKOFF_MS: '300' }, async () =>
    createGradingEngine(loadConfig(), createLogger({ logLevel: 'silent' }, 'test')),
  );
  key = (await createApiKey(t.api.ctx.pool, 'Hiring Team')).key;
});

afterAll(async () => {
  await t?.close();
  receiver?.close();
});

describe('grading over HTTP', () => {
  it('streams progress, stores the result once, and sends verified webhooks', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { body: { url: `${receiverUrl}/endpoint` }, headers: auth });
    expect(endpoint.status).toBe(201);
    const files = [
      { path: 'solution.ts', content: await readFile(new URL('../../problems/lru-cache/reference/solution.ts', import.meta.url), 'utf8') },
    ];
    const sub = await t.request('POST', '/v1/submissions', {
      body: { problemId: 'lru-cache', language: 'typescript', files, callbackUrl: `${receiverUrl}/callback` },
      headers: auth,
    });
    expect(sub.status).toBe(202);
    expect(sub.body.callbackSecret).toMatch(/^whsec_/);
    const id = sub.body.id as string;

    const events = await readSse(`${t.url}/v1/submissions/${id}/events`, { headers: auth });
    const kinds = events.map((e) => e.event);
    expect(kinds.at(-1)).toBe('result');
    expect(events.filter((e) => e.event === 'progress').map((e) => e.data.stage)).toEqual(
      expect.arrayContaining(['compiling', 'suite', 'finished']),
    );
    expect(
      events.some(
        (e) => e.event === 'progress' && e.data.stage === 'suite' && e.data.suite === 'correctness' && e.data.done === e.data.total,
      ),
    ).toBe(true);
    expect(events.some((e) => e.event === 'status' && e.data.status === 'running')).toBe(true);
    const final = events.at(-1)!.data;
    expect(final).toMatchObject({ id, status: 'completed', result: { verdict: 'accepted', score: 100 } });
    const result = ResultSchema.parse(final.result);
    // Candidate-safe: hidden tests carry their name and status, not their data.
    for (const test of result.suites.flatMap((s) => s.tests).filter((x) => !x.sample)) {
      expect(test.expected).toBeUndefined();
      expect(test.actual).toBeUndefined();
    }

    // A client that connects after the end gets the steps and the result, and the stream ends.
    const late = await readSse(`${t.url}/v1/submissions/${id}/events`, { headers: auth });
    expect(late.filter((e) => e.event === 'progress').length).toBe(events.filter((e) => e.event === 'progress').length);
    expect(late.at(-1)).toMatchObject({ event: 'result', data: { id, status: 'completed' } });
    // Resuming with Last-Event-ID skips what was seen.
    const resumed = await readSse(`${t.url}/v1/submissions/${id}/events`, { headers: { ...auth, 'last-event-id': '3' } });
    expect(resumed.find((e) => e.id)?.id).toBe('4');

    const got = await t.request('GET', `/v1/submissions/${id}`, { headers: auth });
    expect(got.body).toMatchObject({ status: 'completed', result: { verdict: 'accepted' }, finishedAt: expect.any(String) });
    const { rows } = await t.api.ctx.pool.query('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [id]);
    expect(rows[0].n).toBe(1);

    // Webhooks: the callback signed with the submission's secret, the endpoint with its own (after one 503 and a retry).
    const callback = await waitFor(() => received.find((r) => r.path === '/callback'));
    verifyWebhook(sub.body.callbackSecret, callback.headers as Record<string, string>, callback.body);
    expect(JSON.parse(callback.body)).toMatchObject({
      type: 'submission.completed',
      data: { id, status: 'completed', result: { verdict: 'accepted' } },
    });
    const delivered = await waitFor(() =>
      received.filter((r) => r.path === '/endpoint').length >= 2 ? received.filter((r) => r.path === '/endpoint') : undefined,
    );
    const [first, second] = delivered;
    verifyWebhook(endpoint.body.secret, second!.headers as Record<string, string>, second!.body);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(() => verifyWebhook(sub.body.callbackSecret, second!.headers as Record<string, string>, second!.body)).toThrow();

    // The delivery log, then a replay with the same webhook-id and a fresh signature.
    const deliveries = await t.request('GET', `/v1/webhook-deliveries?submissionId=${id}`, { headers: auth });
    expect(deliveries.body.items).toHaveLength(2);
    const ep = deliveries.body.items.find((d: { endpointId: string | null }) => d.endpointId === endpoint.body.id);
    expect(ep).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 204 });
    expect(ep.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 204]);
    const before = received.length;
    const replay = await t.request('POST', `/v1/webhook-deliveries/${ep.id}/replay`, { headers: auth });
    expect(replay.status).toBe(202);
    const again = await waitFor(() => (received.length > before ? received.at(-1) : undefined));
    expect(again.headers['webhook-id']).toBe(ep.id);
    verifyWebhook(endpoint.body.secret, again.headers as Record<string, string>, again.body);
  });

  it('readyz reports Docker reachable when this process grades', async () => {
    const ready = await t.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ postgres: { ok: true }, redis: { ok: true }, docker: { ok: true } });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(/assay_grading_duration_seconds_count\{verdict="accepted"\} [1-9]/);
  });
});
