/**
 * Webhook delivery on real PostgreSQL, Redis and HTTP: retries with backoff until the attempts
 * run out, every attempt logged; and the address check runs again when connecting, so a
 * callback that now points at a refused address is never contacted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConfig,
  createPool,
  inTransaction,
  type Pool,
  migrate,
  recordProblemVersion,
  insertSubmission,
  createDeliveries,
  getDelivery,
  listDeliveries,
  findOrCreateOrganisation,
  createQueues,
  enqueueDeliveries,
  type Queues,
  encryptSecret,
  generateWebhookSecret,
  WebhookVerificationError,
} from '@assay/platform';
import { loadProblem } from '@assay/sdk/package';
import { createTestEnv, StandardWebhook, type TestEnv } from '@assay/platform/testing';
import { WebhookWorker } from './WebhookWorker';

let env: TestEnv;
let pool: Pool;
let queues: Queues;
let receiver: http.Server;
let url: string;
let hits = 0;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
/** Each delivery's signing secret (its submission's callback secret), to verify what arrived. */
const secrets = new Map<string, string>();

async function deliveryFor(callbackUrl: string, orgId: string): Promise<string> {
  const pkg = await loadProblem('lru-cache');
  await recordProblemVersion(pool, pkg);
  const id = randomUUID();
  const secret = generateWebhookSecret();
  await insertSubmission(pool, {
    id,
    orgId,
    apiKeyId: null,
    problemId: 'lru-cache',
    problemVersion: pkg.manifest.version,
    language: 'typescript',
    files: [{ path: 'solution.ts', content: '' }],
    callbackUrl,
    callbackSecret: encryptSecret(env.config.webhooks.secretsKey, secret),
    idempotencyScope: null,
    idempotencyKey: null,
    requestHash: 'x',
    clientAddress: null,
  });
  const [deliveryId] = await inTransaction(pool, (c) =>
    createDeliveries(c, id, 'submission.completed', { type: 'submission.completed', data: { id } }),
  );
  secrets.set(deliveryId!, secret);
  return deliveryId!;
}

async function settled(orgId: string, id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const d = await getDelivery(pool, orgId, id);
    if (d && d.status !== 'pending') return d;
    if (Date.now() > deadline) throw new Error(`delivery ${id} still pending after ${d?.attempts} attempts`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    hits++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  env = await createTestEnv('webhook_worker', { WEBHOOK_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '50', ALLOW_LOOPBACK_CALLBACKS: 'true' });
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  queues = createQueues(env.config, 'worker');
});

afterAll(async () => {
  await queues?.close();
  await pool?.end();
  await env?.cleanup();
  receiver?.close();
});

describe('WebhookWorker', () => {
  it('retries a failing receiver with backoff, logs every attempt, then gives up', async () => {
    const worker = new WebhookWorker({ config: env.config, pool, logger: pino({ level: 'silent' }) });
    worker.start();
    try {
      const org = await findOrCreateOrganisation(pool, 'Retry Org');
      const id = await deliveryFor(url, org.id);
      await enqueueDeliveries(queues, env.config, [id]);
      const d = await settled(org.id, id);
      expect(d).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500' });
      expect(d.log.map((a) => a.statusCode)).toEqual([500, 500, 500]);
      expect(hits).toBe(3);
      // Backoff: the gaps between attempts are not zero.
      const at = d.log.map((a) => Date.parse(String(a.at)));
      expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(50);
      expect((await listDeliveries(pool, org.id, { status: 'failed', limit: 10 })).map((x) => x.id)).toContain(id);
      // Every attempt verifies with the Standard Webhooks library, under the same webhook-id; tampering does not.
      const attempts = received.filter((r) => r.headers['webhook-id'] === id);
      expect(attempts).toHaveLength(3);
      const standard = new StandardWebhook(secrets.get(id)!);
      for (const r of attempts)
        expect(standard.verify(r.body, r.headers as Record<string, string>)).toEqual({
          type: 'submission.completed',
          data: { id: d.submissionId },
        });
      const last = attempts.at(-1)!;
      const headers = last.headers as Record<string, string>;
      expect(() => standard.verify(last.body.replace(d.submissionId, randomUUID()), headers)).toThrow(WebhookVerificationError);
      const earlier = String(Number(headers['webhook-timestamp']) - 1);
      expect(() => standard.verify(last.body, { ...headers, 'webhook-timestamp': earlier })).toThrow(WebhookVerificationError);
    } finally {
      await worker.close(5_000);
    }
  });

  it('re-checks the address when connecting: a loopback callback is refused without being contacted', async () => {
    const strict = loadConfig({ ...env.env, ALLOW_LOOPBACK_CALLBACKS: 'false' });
    const worker = new WebhookWorker({ config: strict, pool, logger: pino({ level: 'silent' }) });
    worker.start();
    try {
      const org = await findOrCreateOrganisation(pool, 'Strict Org');
      const before = hits;
      for (const target of [url, url.replace('127.0.0.1', 'localhost')]) {
        const id = await deliveryFor(target, org.id);
        await enqueueDeliveries(queues, strict, [id]);
        const d = await settled(org.id, id);
        expect(d.status).toBe('failed');
        expect(d.lastError).toMatch(/loopback/);
        expect(d.lastStatusCode).toBeNull();
      }
      expect(hits).toBe(before);
    } finally {
      await worker.close(5_000);
    }
  });
});
