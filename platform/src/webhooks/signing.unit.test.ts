import { describe, expect, it } from 'vitest';
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
    expect(() => verifyWebhook(secret, { ...h }, body, 300, Date.now() + 10 * 60_000)).toThrow(/tolerance/);
    expect(() => verifyWebhook(secret, { ...h, 'webhook-signature': `v1,bogus ${h['webhook-signature']}` }, body)).not.toThrow();
  });
});
