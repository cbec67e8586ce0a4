/** Helpers for the API's tests: a real server on an ephemeral loopback port (with a real worker when given an engine). */
import { pino } from 'pino';
import type { ProgressEvent, Result, SourceFile } from '@assay/contracts';
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

/** A grading engine without Docker: two steps and an accepted result at once (after `before`, when given). */

export function instantEngine(
  opts: { before?: (submissionId: string, files: SourceFile[]) => Promise<void> | undefined } = {},
): GradingEngine {
  return {
    async grade(req, o) {
      const steps: ProgressEvent[] = [{ stage: 'compiling' }, { stage: 'suite', suite: 'correctness', done: 1, total: 1 }];
      for (const s of steps) o?.onProgress?.(s);
      await opts.before?.(o?.submissionId ?? '', req.files);
      const now = new Date().toISOString();
      const result: Result = {
        schemaVersion: 1,
        verdict: 'accepted',
        score: 100,
        summary: 'all passed',
        problem: { id: req.problem.manifest.id, version: req.problem.manifest.version },
        language: req.language,
        suites: [{ name: 'correctness', weight: 100, passed: 1, total: 1, tests: [] }],
        latency: [],
        complexity: [],
        staticHints: [],
        compile: { ok: true, diagnostics: [] },
        resources: { cpuMs: 1, peakMemoryBytes: 1, wallMs: 1 },
        output: { stdout: '', stderr: '', truncated: false },
        timings: { queuedAt: now, startedAt: now, finishedAt: now },
        graderVersion: 'test-engine/1',
      };
      return result;
    },
    reapOrphans: async () => 0,
    ping: async () => {},
    close: async () => {},
  };
}
