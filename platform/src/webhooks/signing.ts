/**
 * Standard Webhooks (https://www.standardwebhooks.com) through its reference library: the signed
 * content is `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the base64 part of
 * a `whsec_` secret, sent as `webhook-signature: v1,<base64>`.
 */
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

export const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

function webhook(secret: string): Webhook {
  // The library would also take a bare base64 key; every secret we issue has the prefix, so anything else is a mix-up.
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error(`webhook secret must start with ${SECRET_PREFIX}`);
  return new Webhook(secret);
}

export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  return webhook(secret).sign(id, new Date(timestampS * 1000), body);
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The headers of one attempt. During a secret rotation's grace period pass the previous secret too:
 * both signatures go out, space-separated, as Standard Webhooks provides, so a receiver holding
 * either secret verifies.
 */
export function webhookHeaders(secret: string, id: string, body: string, now = Date.now(), previousSecrets: string[] = []): WebhookHeaders {
  const ts = Math.floor(now / 1000);
  const signature = [secret, ...previousSecrets].map((s) => signWebhook(s, id, ts, body)).join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
}

/** The library's reasons, in the words of our other errors (its own message when it adds a new one). */
const REASONS: Record<string, string> = {
  'Missing required headers': 'missing webhook-id, webhook-timestamp or webhook-signature header',
  'Invalid Signature Headers': 'webhook-timestamp is not an integer',
  'Message timestamp too old': 'webhook-timestamp is outside the tolerance (too old)',
  'Message timestamp too new': 'webhook-timestamp is outside the tolerance (too new)',
  'No matching signature found': 'no webhook-signature matches',
};

/**
 * Verifies a received webhook as a receiver would: any of the space-separated `v1,` signatures
 * matches, and the timestamp is within the library's 5 minutes of now. Takes Node's request
 * headers as they are; throws the library's `WebhookVerificationError` saying what failed.
 */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string): void {
  const strings = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
  try {
    webhook(secret).verify(body, strings, { jsonParse: false });
  } catch (e) {
    if (e instanceof WebhookVerificationError) throw new WebhookVerificationError(REASONS[e.message] ?? e.message);
    throw e;
  }
}
