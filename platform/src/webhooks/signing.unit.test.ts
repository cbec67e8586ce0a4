import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { generateWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './signing';

describe('Standard Webhooks signing', () => {
  it('matches the reference vector of the Standard Webhooks libraries', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('verifies what it signs, and refuses tampering, other secrets and stale timestamps', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const body = JSON.stringify({ type: 'submission.completed', data: { id: 'x' } });
    const h = webhookHeaders(secret, 'msg_1', body);
    expect(() => verifyWebhook(secret, { ...h }, body)).not.toThrow();
    expect(() => verifyWebhook(secret, { ...h }, body + ' ')).toThrow(/no webhook-signature matches/);
    expect(() => verifyWebhook(generateWebhookSecret(), { ...h }, body)).toThrow(/no webhook-signature matches/);
    // Ten minutes later (the library reads the clock itself).
    vi.useFakeTimers({ now: Date.now() + 10 * 60_000 });
    try {
      expect(() => verifyWebhook(secret, { ...h }, body)).toThrow(/tolerance/);
    } finally {
      vi.useRealTimers();
    }
    expect(() => verifyWebhook(secret, { ...h, 'webhook-signature': `v1,bogus ${h['webhook-signature']}` }, body)).not.toThrow();
  });

  it('signs what the standardwebhooks library verifies; a tampered body, timestamp or id does not verify', () => {
    const secret = generateWebhookSecret();
    const wh = new Webhook(secret);
    const body = JSON.stringify({ type: 'submission.completed', data: { id: 'x', result: { verdict: 'accepted' } } });
    const h = webhookHeaders(secret, 'msg_2', body);
    expect(wh.verify(body, { ...h })).toEqual(JSON.parse(body));
    expect(() => wh.verify(body.replace('accepted', 'partial'), { ...h })).toThrow(WebhookVerificationError);
    const ts = Number(h['webhook-timestamp']);
    expect(() => wh.verify(body, { ...h, 'webhook-timestamp': String(ts - 1) })).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...h, 'webhook-id': 'msg_3' })).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...webhookHeaders(secret, 'msg_2', body, Date.now() - 10 * 60_000) })).toThrow(/too old/);
    expect(() => verifyWebhook(secret, { ...h, 'webhook-timestamp': String(ts - 1) }, body)).toThrow(/no webhook-signature matches/);
  });

  it('verifies what the library signs, from Node request headers as they come', () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"submission.failed"}';
    const signature = new Webhook(secret).sign('msg_4', new Date(), body);
    const headers = {
      'webhook-id': 'msg_4',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': signature,
      'set-cookie': ['a=b'],
      'x-absent': undefined,
    };
    expect(() => verifyWebhook(secret, headers, body)).not.toThrow();
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-id': undefined }, body)).toThrow(/missing webhook-id/);
    expect(() => verifyWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers, body)).toThrow(/must start with whsec_/);
  });

  it('signs with the previous secret too during a rotation: the library verifies with either, not with a third', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"submission.completed"}';
    const h = webhookHeaders(current, 'msg_5', body, Date.now(), [previous]);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(h['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(current).verify(body, { ...h })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...h })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...h })).toThrow(WebhookVerificationError);
  });
});
