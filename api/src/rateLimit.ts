import type { Redis } from 'ioredis';
import { RETRY_AFTER_S } from './DependencyProbe';
import { HttpError } from './errors';

const unavailable = () =>
  new HttpError('service-unavailable', 'the rate limiter (Redis) is unreachable right now; nothing was stored — retry shortly', {
    headers: { 'Retry-After': String(RETRY_AFTER_S) },
  });

/**
 * Fixed-window counter in Redis (shared by every API process): throws 429 with Retry-After once
 * `limit` requests were counted for `key` in the current window, 503 when Redis cannot count.
 * A limit of 0 disables it.
 */
export async function enforceRateLimit(
  redis: Redis,
  prefix: string,
  key: string,
  limit: number,
  windowS: number,
  what: string,
): Promise<void> {
  if (limit <= 0) return;
  const window = Math.floor(Date.now() / 1000 / windowS);
  const k = `${prefix}:ratelimit:${key}:${window}`;
  // Not connected: answer at once instead of waiting out the client's reconnection attempts.
  if (redis.status !== 'ready') throw unavailable();
  const res = await redis
    .multi()
    .incr(k)
    .expire(k, windowS + 1)
    .exec()
    .catch(() => {
      throw unavailable();
    });
  const count = Number(res?.[0]?.[1] ?? 0);
  if (count > limit) {
    const retryAfter = (window + 1) * windowS - Math.floor(Date.now() / 1000);
    throw new HttpError(
      'rate-limited',
      `${what}: at most ${limit} per ${windowS} s; retry after ${retryAfter} s${key.startsWith('anon') ? ', or use an API key' : ''}`,
      {
        headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
      },
    );
  }
}
