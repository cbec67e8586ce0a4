import type { Redis } from 'ioredis';
import type { Pool } from '@assay/platform';

/** What a 503 asks clients to wait before retrying, in seconds. */
export const RETRY_AFTER_S = 5;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATE classes saying the database cannot answer now: connection exceptions, insufficient resources, shutting down. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code);
}

/**
 * Decides whether an unexpected error is an outage rather than a bug: after a request failed,
 * it asks PostgreSQL and Redis directly (pg and ioredis raise untyped errors for a dropped
 * connection, so the error alone cannot say). The error handler answers 503 for what it finds down.
 */
export class DependencyProbe {
  constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
    private readonly timeoutMs = 1_000,
  ) {}

  /** The names of the services that do not answer now; empty when both do and `err` is no connection error. */
  async unreachable(err: unknown): Promise<string[]> {
    const [pg, redis] = await Promise.all([
      this.answers(() => this.pool.query('SELECT 1')),
      this.redis.status === 'ready' && this.answers(() => this.redis.ping()),
    ]);
    const down = [...(pg ? [] : ['PostgreSQL']), ...(redis ? [] : ['Redis'])];
    return down.length || !isConnectionError(err) ? down : ['a backing service'];
  }

  private async answers(fn: () => Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), this.timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
