import { describe, expect, it } from 'vitest';
import { idempotencyKey } from './api';

describe('idempotencyKey', () => {
  it('is a random UUID v4 made with getRandomValues alone (no crypto.randomUUID off secure contexts)', () => {
    const randomUUID = crypto.randomUUID;
    // As on a plain-http origin other than localhost.
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const keys = Array.from({ length: 1000 }, () => idempotencyKey());
      for (const k of keys) expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: randomUUID, configurable: true });
    }
  });
});
