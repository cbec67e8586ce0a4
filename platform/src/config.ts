/**
 * The platform's one configuration, read from the environment with defaults that work on a
 * developer machine brought up by `npm start` (services under `.assay/` on loopback).
 *
 * Every process (API, worker, CLI, tests, bench) calls `loadConfig()`; nothing else reads
 * `process.env` for platform settings. A bad value fails fast with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Loopback ports `scripts/services.sh` starts PostgreSQL and Redis on (off the usual ones, so a system instance never collides). */
export const DEFAULT_PG_PORT = 5433;
export const DEFAULT_REDIS_PORT = 6380;

// true/1/yes/on/y/enabled and false/0/no/off/n/disabled, any case (empty variables never get here: they count as unset).
const bool = z.stringbool();
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

function defaultCores(): number {
  return Math.max(1, availableParallelism());
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8080),
  /** Public base URL used in `Location` headers and links; defaults to http://HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: z.string().default('loopback'),
  DATABASE_URL: z.url().default(`postgres://assay@127.0.0.1:${DEFAULT_PG_PORT}/assay`),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: z.url().default(`redis://127.0.0.1:${DEFAULT_REDIS_PORT}`),
  /** Namespaces every BullMQ key and pub/sub channel; tests use one per file. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('assay'),
  /** Run a grading worker inside the API process (the one-machine setup). */
  RUN_WORKER: bool.default(true),
  WORKER_CONCURRENCY: int(1, 256).optional(),
  /**
   * The lock is renewed every half lockDuration while the worker lives; a SIGKILLed worker's job
   * is handed on within lock + stalled interval (about 15 s with these).
   */
  WORKER_LOCK_MS: int(1000).default(10_000),
  WORKER_STALLED_INTERVAL_MS: int(500).default(5_000),
  WORKER_MAX_STALLED: int(0, 100).default(2),
  GRADING_ATTEMPTS: int(1, 20).default(3),
  GRADING_BACKOFF_MS: int(0).default(5_000),
  /** A job put back because the sandbox or a service was unavailable waits this long (no attempt spent). */
  GRADING_REQUEUE_DELAY_MS: int(0).default(2_000),
  /** Past this many put-backs, infrastructure failures of one job count as attempts again (a loop guard). */
  GRADING_MAX_REQUEUES: int(1).default(50),
  /** How often the worker checks the Docker engine and the runner image (paused while they are unavailable). */
  DOCKER_CHECK_INTERVAL_MS: int(100).default(2_000),
  /** How often submissions left queued or running without a live job are re-enqueued. */
  WORKER_HEAL_INTERVAL_MS: int(1000).default(30_000),
  /** A submission is looked at by the healer only once it is this old. */
  WORKER_HEAL_AFTER_S: int(0).default(60),
  SHUTDOWN_TIMEOUT_MS: int(0).default(30_000),
  /** A worker process without the API serves /metrics and /healthz here (0 = off). */
  WORKER_METRICS_PORT: int(0, 65535).default(0),
  DOCKER_SOCKET: z.string().optional(),
  WEBHOOK_ATTEMPTS: int(1, 50).default(8),
  WEBHOOK_BACKOFF_MS: int(0).default(2_000),
  WEBHOOK_TIMEOUT_MS: int(100).default(10_000),
  /** An endpoint whose every attempt has failed for this long is disabled (0 = never); Svix's 5 days. */
  WEBHOOK_DISABLE_AFTER_S: int(0).default(5 * 24 * 3600),
  /** After a secret rotation, how long the previous secret still signs (both signatures sent) unless the request says. */
  WEBHOOK_SECRET_GRACE_S: int(0, 7 * 24 * 3600).default(24 * 3600),
  /** Hosts (names or IPs) callbacks may target even when they resolve to private addresses. */
  ALLOWED_CALLBACK_HOSTS: list.default([]),
  ALLOW_LOOPBACK_CALLBACKS: bool.default(false),
  ALLOW_PRIVATE_CALLBACKS: bool.default(false),
  /** 32 bytes, base64: encrypts webhook signing secrets at rest. Required in production. */
  SECRETS_KEY: z.string().optional(),
  ADMIN_USER: z.string().min(1).default('admin'),
  /** Unset: the queue dashboard at /admin/queues answers 503 until one is configured. */
  ADMIN_PASSWORD: z.string().min(8).optional(),
  RATE_LIMIT_WINDOW_S: int(1).default(60),
  /** Anonymous (practice) submissions per client address per window. */
  RATE_LIMIT_ANONYMOUS: int(0).default(20),
  /** Submissions per organisation per window. */
  RATE_LIMIT_ORG: int(0).default(100_000),
  /** Problem ids open to anonymous practice submissions; `*` = all. */
  PRACTICE_PROBLEMS: list.default(['*']),
  PROGRESS_TTL_S: int(60).default(24 * 3600),
  SSE_HEARTBEAT_MS: int(100).default(15_000),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  http: { host: string; port: number; publicUrl: string | undefined; trustProxy: string };
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  queuePrefix: string;
  worker: {
    embedded: boolean;
    concurrency: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    maxStalledCount: number;
    gradingAttempts: number;
    gradingBackoffMs: number;
    requeueDelayMs: number;
    maxRequeues: number;
    dockerCheckIntervalMs: number;
    healIntervalMs: number;
    healAfterS: number;
    shutdownTimeoutMs: number;
    metricsPort: number;
    dockerSocket: string | undefined;
  };
  webhooks: {
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    /** 0 = never disable an endpoint for failing. */
    disableAfterS: number;
    secretGraceS: number;
    allowedHosts: string[];
    allowLoopback: boolean;
    allowPrivate: boolean;
    /** 32-byte key for secrets at rest. */
    secretsKey: Buffer;
    secretsKeyIsDevDefault: boolean;
  };
  admin: { user: string; password: string | undefined };
  rateLimit: { windowS: number; anonymous: number; org: number };
  practiceProblems: string[];
  progressTtlS: number;
  sseHeartbeatMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Development-only key so a fresh checkout runs; production refuses it. */
const DEV_SECRETS_KEY = 'assay-development-secrets-key-32';

export function loadConfig(
  env: Record<string, string | undefined> = (globalThis as { process?: NodeJS.Process }).process?.env ?? {},
): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration in the environment — ${what}`);
  }
  const e = parsed.data;
  let secretsKey = Buffer.from(DEV_SECRETS_KEY, 'utf8');
  if (e.SECRETS_KEY) {
    secretsKey = Buffer.from(e.SECRETS_KEY, 'base64');
    if (secretsKey.length !== 32)
      throw new ConfigError(`SECRETS_KEY must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${secretsKey.length} bytes`);
  } else if (e.NODE_ENV === 'production') {
    throw new ConfigError('SECRETS_KEY is required in production: set it to 32 random bytes in base64 (`openssl rand -base64 32`)');
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''), trustProxy: e.TRUST_PROXY },
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    worker: {
      embedded: e.RUN_WORKER,
      concurrency: e.WORKER_CONCURRENCY ?? defaultCores(),
      lockDurationMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: e.WORKER_MAX_STALLED,
      gradingAttempts: e.GRADING_ATTEMPTS,
      gradingBackoffMs: e.GRADING_BACKOFF_MS,
      requeueDelayMs: e.GRADING_REQUEUE_DELAY_MS,
      maxRequeues: e.GRADING_MAX_REQUEUES,
      dockerCheckIntervalMs: e.DOCKER_CHECK_INTERVAL_MS,
      healIntervalMs: e.WORKER_HEAL_INTERVAL_MS,
      healAfterS: e.WORKER_HEAL_AFTER_S,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      metricsPort: e.WORKER_METRICS_PORT,
      dockerSocket: e.DOCKER_SOCKET,
    },
    webhooks: {
      attempts: e.WEBHOOK_ATTEMPTS,
      backoffMs: e.WEBHOOK_BACKOFF_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      disableAfterS: e.WEBHOOK_DISABLE_AFTER_S,
      secretGraceS: e.WEBHOOK_SECRET_GRACE_S,
      allowedHosts: e.ALLOWED_CALLBACK_HOSTS.map((h) => h.toLowerCase()),
      allowLoopback: e.ALLOW_LOOPBACK_CALLBACKS,
      allowPrivate: e.ALLOW_PRIVATE_CALLBACKS,
      secretsKey,
      secretsKeyIsDevDefault: !e.SECRETS_KEY,
    },
    admin: { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD },
    rateLimit: { windowS: e.RATE_LIMIT_WINDOW_S, anonymous: e.RATE_LIMIT_ANONYMOUS, org: e.RATE_LIMIT_ORG },
    practiceProblems: e.PRACTICE_PROBLEMS,
    progressTtlS: e.PROGRESS_TTL_S,
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
  };
}

/** The names `loadConfig` reads, for docs and `--help` output. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
