/**
 * A submission's event stream over real HTTP (real PostgreSQL, Redis, worker; a scripted engine so
 * gradings are instant): every event carries an id, and a client that has seen the result of a
 * finished submission is answered 204, which makes an EventSource stop reconnecting.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse } from './sse';
import { instantEngine, startTestApi, type TestApi } from './testing';

/** Each submission whose code says "wait" waits for its release before its result, so a test can watch one still running. */
const gates = new Map<string, () => void>();
const engine = instantEngine({
  before: (submissionId, files) => (files[0]?.content.includes('wait') ? new Promise<void>((r) => gates.set(submissionId, r)) : undefined),
});

let t: TestApi;

async function submit(content = 'export class LRUCache {}'): Promise<string> {
  const res = await t.request('POST', '/v1/submissions', {
    body: { problemId: 'lru-cache', language: 'typescript', files: [{ path: 'solution.ts', content }] },
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** A plain HTTP/1.1 GET with node:http (not fetch), as an EventSource reconnecting would send it. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, t.url), { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
  });
}

beforeAll(async () => {
  t = await startTestApi('event_stream', { RUN_WORKER: 'true', WORKER_CONCURRENCY: '2', PRACTICE_PROBLEMS: 'lru-cache' }, engine);
});
afterAll(async () => {
  for (const release of gates.values()) release();
  await t?.close();
});

describe('the event stream of a submission', () => {
  it('gives every event an id, the result one past the last step', async () => {
    const id = await submit();
    const events = await readSse(`${t.url}/v1/submissions/${id}/events`);
    expect(events.at(-1)?.event).toBe('result');
    expect(events.every((e) => e.id !== undefined && /^\d+$/.test(e.id))).toBe(true);
    const ids = events.map((e) => Number(e.id));
    // Strictly increasing (the status snapshot a first reader may get is 0).
    expect(ids.every((n, i) => i === 0 || n > ids[i - 1]!)).toBe(true);
    const steps = events.filter((e) => e.event !== 'result' && Number(e.id) > 0);
    expect(steps.map((e) => e.event)).toEqual(expect.arrayContaining(['status', 'progress']));
    expect(Number(events.at(-1)!.id)).toBe(Number(steps.at(-1)!.id) + 1);
  });

  it('answers 204 to a client that has seen the result, and the rest to one that has not', async () => {
    const id = await submit();
    const all = await readSse(`${t.url}/v1/submissions/${id}/events`);
    const end = Number(all.at(-1)!.id);
    const path = `/v1/submissions/${id}/events`;

    for (const seen of [String(end), String(end + 1), String(10 ** 12)]) {
      const res = await get(path, { 'last-event-id': seen });
      expect(res.status, `Last-Event-ID ${seen}`).toBe(204);
      expect(res.body).toBe('');
      expect(res.headers['content-type']).toBeUndefined();
    }
    // Seen the last step but not the result: the result again, with the same id.
    const tail = await readSse(`${t.url}${path}`, { headers: { 'last-event-id': String(end - 1) } });
    expect(tail.map((e) => [e.event, e.id])).toEqual([['result', String(end)]]);
    expect(tail[0]!.data).toMatchObject({ id, status: 'completed', result: { verdict: 'accepted' } });
    // Mid-way: the steps after it, then the result.
    const mid = await readSse(`${t.url}${path}`, { headers: { 'last-event-id': '1' } });
    expect(mid.map((e) => e.id)).toEqual(all.filter((e) => Number(e.id) > 1).map((e) => e.id));
  });

  it('treats a Last-Event-ID that is not one of its ids as none: the whole stream again', async () => {
    const id = await submit();
    await readSse(`${t.url}/v1/submissions/${id}/events`);
    const all = await readSse(`${t.url}/v1/submissions/${id}/events`);
    for (const hostile of ['abc', '-1', '1e3', '0x10', '9'.repeat(40), ' ', '3.5']) {
      const again = await readSse(`${t.url}/v1/submissions/${id}/events`, { headers: { 'last-event-id': hostile } });
      expect(
        again.map((e) => [e.event, e.id]),
        `Last-Event-ID ${JSON.stringify(hostile)}`,
      ).toEqual(all.map((e) => [e.event, e.id]));
    }
  });

  it('keeps streaming a submission still being graded, whatever Last-Event-ID says, and ends with the result', async () => {
    const id = await submit('// wait\nexport class LRUCache {}');
    const deadline = Date.now() + 10_000;
    while (!gates.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(gates.has(id)).toBe(true);
    const reading = readSse(`${t.url}/v1/submissions/${id}/events`, { headers: { 'last-event-id': '1000' } });
    await new Promise((r) => setTimeout(r, 200));
    gates.get(id)!();
    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(['result']);
    expect(events[0]!.data).toMatchObject({ id, status: 'completed' });
    // Its id is past every step, so a reconnection now is a 204.
    expect((await get(`/v1/submissions/${id}/events`, { 'last-event-id': events[0]!.id! })).status).toBe(204);
  });

  it('still answers 404 for an unknown submission, whatever Last-Event-ID says', async () => {
    const res = await get('/v1/submissions/00000000-0000-4000-8000-000000000000/events', { 'last-event-id': '999' });
    expect(res.status).toBe(404);
  });
});
