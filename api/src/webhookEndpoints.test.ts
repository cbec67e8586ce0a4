/**
 * A webhook endpoint's lifecycle through the HTTP API, with real receivers on loopback that verify
 * every delivery with the official `standardwebhooks` library: update, disable and enable, secret
 * rotation (both secrets valid during the grace period), soft delete keeping the delivery log, and
 * automatic disabling of an endpoint that keeps failing. Real PostgreSQL, Redis and workers; a
 * scripted engine, so gradings are instant.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEndpointSchema } from '@assay/contracts';
import { createApiKey } from '@assay/platform';
import { StandardWebhook } from '@assay/platform/testing';
import { instantEngine, startTestApi, type TestApi } from './testing';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver answering `status()`; keeps what it got. */
async function receiver(status: () => number = () => 204) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, close: () => server.close() };
}
type Receiver = Awaited<ReturnType<typeof receiver>>;

let t: TestApi;
const receivers: Receiver[] = [];

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh organisation (so each test sees only its own endpoints and deliveries). */
async function org(name: string) {
  const key = (await createApiKey(t.api.ctx.pool, name)).key;
  const auth = { authorization: `Bearer ${key}` };
  const call = (method: string, path: string, body?: unknown) =>
    t.request(method, path, { headers: auth, ...(body !== undefined ? { body } : {}) });
  const submit = async () => {
    const res = await call('POST', '/v1/submissions', {
      problemId: 'lru-cache',
      language: 'typescript',
      files: [{ path: 'solution.ts', content: 'export class LRUCache {}' }],
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    // Graded and its deliveries created.
    await until(async () => ((await call('GET', `/v1/submissions/${id}`)).body.status === 'completed' ? true : undefined));
    return id;
  };
  const deliveries = async (submissionId: string) => (await call('GET', `/v1/webhook-deliveries?submissionId=${submissionId}`)).body.items;
  return { call, submit, deliveries };
}

const forSubmission = (r: Receiver, id: string) => r.got.filter((g) => JSON.parse(g.body).data?.id === id);

beforeAll(async () => {
  t = await startTestApi(
    'webhook_endpoints',
    {
      RUN_WORKER: 'true',
      WORKER_CONCURRENCY: '2',
      WEBHOOK_ATTEMPTS: '5',
      WEBHOOK_BACKOFF_MS: '600',
      WEBHOOK_DISABLE_AFTER_S: '1',
    },
    instantEngine(),
  );
});
afterAll(async () => {
  await t?.close();
  for (const r of receivers) r.close();
});

describe('webhook endpoints', () => {
  it('updates url, description and events; validates the changes; other organisations get 404', async () => {
    const a = await org('Updaters');
    const b = await org('Others');
    const created = await a.call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/a', description: 'ATS' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const changed = await a.call('PATCH', `/v1/webhook-endpoints/${id}`, {
      url: 'http://127.0.0.1:9/b',
      description: null,
      events: ['submission.failed'],
    });
    expect(changed.status).toBe(200);
    expect(WebhookEndpointSchema.parse(changed.body)).toMatchObject({
      url: 'http://127.0.0.1:9/b',
      description: null,
      events: ['submission.failed'],
      enabled: true,
    });
    expect(changed.body.secret).toBeUndefined();
    expect((await a.call('GET', `/v1/webhook-endpoints/${id}`)).body).toMatchObject({
      url: 'http://127.0.0.1:9/b',
      events: ['submission.failed'],
    });

    const bad: Array<[unknown, RegExp]> = [
      [{}, /at least one/],
      [{ url: 'ftp://127.0.0.1/x' }, /http/],
      [{ url: 'not a url' }, /http/],
      [{ events: [] }, /events/],
      [{ events: ['submission.exploded'] }, /events/],
      [{ description: 'x'.repeat(201) }, /description/],
      [{ enabled: 'yes' }, /enabled/],
      [{ secret: 'whsec_mine' }, /secret|unrecognized/i],
      [[1, 2], /./],
    ];
    for (const [body, message] of bad) {
      const res = await a.call('PATCH', `/v1/webhook-endpoints/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toMatch(message);
    }
    expect((await b.call('PATCH', `/v1/webhook-endpoints/${id}`, { enabled: false })).status).toBe(404);
    expect((await b.call('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, {})).status).toBe(404);
    expect((await b.call('GET', `/v1/webhook-endpoints/${id}/history`)).status).toBe(404);
    expect((await a.call('PATCH', '/v1/webhook-endpoints/not-a-uuid', { enabled: false })).status).toBe(404);
    expect((await t.request('PATCH', `/v1/webhook-endpoints/${id}`, { body: { enabled: false } })).status).toBe(401);
    // Nothing the refused requests asked for happened.
    expect((await a.call('GET', `/v1/webhook-endpoints/${id}`)).body).toMatchObject({ enabled: true, url: 'http://127.0.0.1:9/b' });
    expect((await a.call('GET', `/v1/webhook-endpoints/${id}/history`)).body.items.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'updated',
    ]);
  });

  it('sends nothing to a disabled endpoint, and resumes when it is enabled', async () => {
    const o = await org('Pausers');
    const r = await receiver();
    receivers.push(r);
    const ep = (await o.call('POST', '/v1/webhook-endpoints', { url: r.url })).body;
    const off = await o.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'disabled through the API', disabledAt: expect.any(String) });

    const quiet = await o.submit();
    await new Promise((res) => setTimeout(res, 500));
    expect(forSubmission(r, quiet)).toEqual([]);
    expect(await o.deliveries(quiet)).toEqual([]);

    const on = await o.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
    const heard = await o.submit();
    const [got] = await until(() => (forSubmission(r, heard).length ? forSubmission(r, heard) : undefined));
    new StandardWebhook(ep.secret).verify(got!.body, got!.headers as Record<string, string>);
    expect((await o.call('GET', `/v1/webhook-endpoints/${ep.id}/history`)).body.items.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'disabled',
      'enabled',
    ]);
  });

  it('rotates the secret: both verify during the grace period, only the new one after it', async () => {
    const o = await org('Rotators');
    const r = await receiver();
    receivers.push(r);
    const ep = (await o.call('POST', '/v1/webhook-endpoints', { url: r.url })).body;
    const oldSecret = ep.secret as string;

    const rotated = await o.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { gracePeriodS: 600 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(500_000);
    expect((await o.call('GET', `/v1/webhook-endpoints/${ep.id}`)).body.secret).toBe(newSecret);

    const during = await o.submit();
    const [d] = await until(() => (forSubmission(r, during).length ? forSubmission(r, during) : undefined));
    expect(String(d!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) new StandardWebhook(secret).verify(d!.body, d!.headers as Record<string, string>);

    // Rotating again with no grace: only the newest signs; the two before it no longer verify.
    const again = await o.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { gracePeriodS: 0 });
    expect(again.body.previousSecretExpiresAt).toBeNull();
    const after = await o.submit();
    const [a] = await until(() => (forSubmission(r, after).length ? forSubmission(r, after) : undefined));
    expect(String(a!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    new StandardWebhook(again.body.secret).verify(a!.body, a!.headers as Record<string, string>);
    for (const secret of [oldSecret, newSecret])
      expect(() => new StandardWebhook(secret).verify(a!.body, a!.headers as Record<string, string>)).toThrow();

    for (const body of [{ gracePeriodS: -1 }, { gracePeriodS: 8 * 24 * 3600 }, { gracePeriodS: 1.5 }, { grace: 5 }]) {
      const res = await o.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await o.call('GET', `/v1/webhook-endpoints/${ep.id}`)).body.secret).toBe(again.body.secret);
  });

  it('keeps the delivery log of a deleted endpoint, and sends it nothing more', async () => {
    const o = await org('Deleters');
    const r = await receiver();
    receivers.push(r);
    const ep = (await o.call('POST', '/v1/webhook-endpoints', { url: r.url })).body;
    const before = await o.submit();
    await until(async () => ((await o.deliveries(before))[0]?.status === 'succeeded' ? true : undefined));

    expect((await o.call('DELETE', `/v1/webhook-endpoints/${ep.id}`)).status).toBe(204);
    expect((await o.call('GET', `/v1/webhook-endpoints/${ep.id}`)).status).toBe(404);
    expect((await o.call('DELETE', `/v1/webhook-endpoints/${ep.id}`)).status).toBe(404);
    expect((await o.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: true })).status).toBe(404);
    expect((await o.call('GET', '/v1/webhook-endpoints')).body.items).toEqual([]);
    const kept = await o.deliveries(before);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ endpointId: ep.id, status: 'succeeded', attempts: 1, log: [{ statusCode: 204 }] });
    expect((await o.call('GET', `/v1/webhook-deliveries/${kept[0].id}`)).status).toBe(200);

    const afterwards = await o.submit();
    await new Promise((res) => setTimeout(res, 500));
    expect(forSubmission(r, afterwards)).toEqual([]);
    expect(await o.deliveries(afterwards)).toEqual([]);
    // A replay of the kept delivery does not reach the deleted endpoint either.
    expect((await o.call('POST', `/v1/webhook-deliveries/${kept[0].id}/replay`)).status).toBe(202);
    const replayed = await until(async () => {
      const d = (await o.call('GET', `/v1/webhook-deliveries/${kept[0].id}`)).body;
      return d.status === 'failed' ? d : undefined;
    });
    expect(replayed.lastError).toMatch(/deleted/);
    expect(forSubmission(r, before)).toHaveLength(1);
  });

  it('disables an endpoint whose attempts keep failing past WEBHOOK_DISABLE_AFTER_S, with a history entry', async () => {
    const o = await org('Failers');
    let status = 500;
    const r = await receiver(() => status);
    receivers.push(r);
    const ep = (await o.call('POST', '/v1/webhook-endpoints', { url: r.url })).body;
    const id = await o.submit();

    const disabled = await until(async () => {
      const e = (await o.call('GET', `/v1/webhook-endpoints/${ep.id}`)).body;
      return e.enabled ? undefined : e;
    });
    expect(disabled).toMatchObject({ enabled: false, failingSince: expect.any(String), disabledAt: expect.any(String) });
    expect(disabled.disabledReason).toMatch(/disabled automatically: every attempt failed since/);
    const history = (await o.call('GET', `/v1/webhook-endpoints/${ep.id}/history`)).body.items;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['created', 'auto_disabled']);
    expect(history[1].detail).toMatch(/failed since/);

    // The series stopped: no attempt after the one that disabled it, and the delivery says why.
    const [delivery] = await until(async () => {
      const ds = await o.deliveries(id);
      return ds[0]?.status === 'failed' ? ds : undefined;
    });
    expect(delivery.lastError).toMatch(/disabled automatically/);
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    expect(delivery.attempts).toBeLessThan(5);
    const seen = forSubmission(r, id).length;
    expect(seen).toBe(delivery.attempts);
    await new Promise((res) => setTimeout(res, 1500));
    expect(forSubmission(r, id)).toHaveLength(seen);
    // Every attempt it did get was signed and verifies.
    for (const g of forSubmission(r, id)) new StandardWebhook(ep.secret).verify(g.body, g.headers as Record<string, string>);

    // Fixed and enabled again: the failure record is cleared, and a replay goes through.
    status = 204;
    const on = await o.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, failingSince: null, disabledReason: null });
    expect((await o.call('POST', `/v1/webhook-deliveries/${delivery.id}/replay`)).status).toBe(202);
    const ok = await until(async () => {
      const d = (await o.call('GET', `/v1/webhook-deliveries/${delivery.id}`)).body;
      return d.status === 'succeeded' ? d : undefined;
    });
    expect(ok.lastStatusCode).toBe(204);
  });
});
