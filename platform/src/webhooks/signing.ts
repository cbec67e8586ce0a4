/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the base64 part of a
 * `whsec_` secret, sent as `webhook-signature: v1,<base64>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

function secretBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error(`webhook secret must start with ${SECRET_PREFIX}`);
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function webhookHeaders(secret: string, id: string, body: string, now = Date.now()): WebhookHeaders {
  const ts = Math.floor(now / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, body) };
}

/**
 * Verifies a received webhook as a receiver would: any of the space-separated `v1,` signatures
 * matches, and the timestamp is within `toleranceS` of now. Throws saying what failed.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  toleranceS = 300,
  now = Date.now(),
): void {
  const h = (n: string) => {
    const v = headers[n];
    if (typeof v !== 'string' || !v) throw new Error(`missing ${n} header`);
    return v;
  };
  const id = h('webhook-id');
  const ts = Number(h('webhook-timestamp'));
  if (!Number.isInteger(ts)) throw new Error('webhook-timestamp is not an integer');
  if (Math.abs(now / 1000 - ts) > toleranceS) throw new Error('webhook-timestamp is outside the tolerance');
  const expected = Buffer.from(signWebhook(secret, id, ts, body).slice(3), 'base64');
  for (const sig of h('webhook-signature').split(' ')) {
    const [version, mac] = sig.split(',');
    if (version !== 'v1' || !mac) continue;
    const got = Buffer.from(mac, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return;
  }
  throw new Error('no webhook-signature matches');
}
