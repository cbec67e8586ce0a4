/**
 * The platform's figures, printed next to their targets; asserts nothing.
 *
 *   npx tsx bench/api.ts [seconds=10] [connections=50] [gradings=3]
 *
 * 1. Accepted submissions per second and the p50/p99 latency of POST /v1/submissions under load
 *    (autocannon against loopback, no worker consuming: what the API, PostgreSQL and Redis take).
 * 2. Submit-to-result latency of the lru-cache reference solution (HTTP submit → SSE `result`),
 *    next to the grading's own wall time, so the platform's overhead shows.
 * Needs the services of `bash scripts/services.sh`; uses its own database and queue prefix.
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { loadConfig, createApiKey, createLogger } from '@assay/platform';
import { createGradingEngine, startEmbeddedWorker } from '@assay/worker';
import { createTestEnv } from '@assay/platform/testing';
import { startServer } from '../api/src/server';
import { readSse } from '../api/src/sse';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const gradings = Number(process.argv[4] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const env = await createTestEnv('bench', { RATE_LIMIT_ORG: '0', RATE_LIMIT_ANONYMOUS: '0', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '20' });
const logger = pino({ level: 'silent' });
const reference = await readFile(new URL('../problems/lru-cache/reference/solution.ts', import.meta.url), 'utf8');
const body = JSON.stringify({ problemId: 'lru-cache', language: 'typescript', files: [{ path: 'solution.ts', content: reference }] });

console.log(
  `machine: ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  // --- 1. POST /v1/submissions under load --------------------------------------------------------
  const api = await startServer({ config: env.config, logger });
  const { key } = await createApiKey(api.ctx.pool, 'bench');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  await autocannon({ url: `${api.url}/v1/submissions`, method: 'POST', headers, body, connections: 10, duration: 2 }); // warm-up
  const r = await autocannon({
    url: `${api.url}/v1/submissions`,
    method: 'POST',
    headers,
    body,
    connections,
    duration: seconds,
    workers: 1,
  }); // load from a worker thread: the API keeps this event loop
  const accepted = r.statusCodeStats['202']?.count ?? 0;
  await new Promise((r) => setTimeout(r, 1500)); // requests in flight when autocannon stopped finish
  const { rows } = await api.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM submissions');
  const waiting = await api.ctx.queues.grading.getJobCounts('waiting');
  console.log(
    `\nPOST /v1/submissions, ${connections} connections, ${seconds} s, body ${(body.length / 1024).toFixed(1)} KiB (lru-cache reference):`,
  );
  console.log(
    `  accepted: ${(accepted / r.duration).toFixed(0)} submissions/s ` +
      `(${accepted} × 202; non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})   target: thousands/s`,
  );
  console.log(`  latency:  p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms`);
  console.log(
    `  stored ${rows[0]!.n} submissions, ${waiting.waiting} grading jobs waiting (incl. warm-up and requests in flight at the end)`,
  );
  await api.ctx.queues.grading.obliterate({ force: true });
  await api.close();

  // --- 2. submit → result for the lru-cache reference ------------------------------------------
  const graded = await startServer({
    config: loadConfig({ ...env.env, RUN_WORKER: 'true', WORKER_CONCURRENCY: '1' }),
    logger,
    startWorker: (deps) => startEmbeddedWorker(deps, () => createGradingEngine(env.config, createLogger({ logLevel: 'silent' }, 'bench'))),
  });
  const e2e: number[] = [];
  const wall: number[] = [];
  const queueToStart: number[] = [];
  console.log(`\nsubmit → result, lru-cache reference, ${gradings} sequential gradings, one worker:`);
  for (let i = 0; i < gradings; i++) {
    const started = performance.now();
    const res = await fetch(`${graded.url}/v1/submissions`, { method: 'POST', headers, body });
    const { id } = (await res.json()) as { id: string };
    const events = await readSse(`${graded.url}/v1/submissions/${id}/events`, { headers, until: (e) => e.event === 'result' });
    const ms = performance.now() - started;
    const result = events.at(-1)!.data.result as {
      verdict: string;
      resources: { wallMs: number };
      timings: { queuedAt?: string; startedAt: string };
    };
    e2e.push(ms);
    wall.push(result.resources.wallMs);
    queueToStart.push(Date.parse(result.timings.startedAt) - Date.parse(result.timings.queuedAt ?? result.timings.startedAt));
    console.log(`  #${i + 1}: ${ms.toFixed(0)} ms submit→result; sandbox wall ${result.resources.wallMs} ms; ${result.verdict}`);
  }
  const m = median(e2e);
  const w = median(wall);
  console.log(
    `  median: ${m.toFixed(0)} ms submit→result, of which sandbox run ${w} ms; ` +
      `platform overhead ${(m - w).toFixed(0)} ms (queue→start ${median(queueToStart).toFixed(0)} ms)`,
  );
  console.log(
    `  floors (DESIGN.md): dockerode create+attach+start+wait+remove 254 ms; target overhead ≤ 1.2× that = 305 ms with cold containers`,
  );
  await graded.close();
} finally {
  await env.cleanup();
}
