/** Helpers for the API's tests: a real server on an ephemeral loopback port (with a real worker when given an engine). */
import { pino } from 'pino';
import { startEmbeddedWorker, type GradingEngine } from '@assay/worker';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';
import { startServer, type RunningServer, type StartEmbeddedWorker } from './server';

export interface TestApi {
  env: TestEnv;
  api: RunningServer;
  url: string;
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startTestApi(
  name: string,
  overrides: Record<string, string> = {},
  engine?: GradingEngine | (() => Promise<GradingEngine>),
): Promise<TestApi> {
  const env = await createTestEnv(name, overrides);
  const createEngine = typeof engine === 'function' ? engine : async () => engine!;
  const startWorker: StartEmbeddedWorker = (deps) => startEmbeddedWorker(deps, createEngine);
  const api = await startServer({ config: env.config, logger: pino({ level: env.config.logLevel }), ...(engine ? { startWorker } : {}) });
  return {
    env,
    api,
    url: api.url,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      };
      const res = await fetch(api.url + path, {
        method,
        headers,
        body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, body, text };
    },
    async close() {
      await api.close();
      await env.cleanup();
    },
  };
}
