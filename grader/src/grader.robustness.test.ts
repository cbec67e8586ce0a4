/**
 * Submissions that attack the grader's own machinery rather than the sandbox: live objects and
 * bigints in results, throws that break what describes them, forged and oversized protocol
 * lines, floods, a subject that will not exit, NUL characters and lone surrogates, TypeScript
 * that costs the host's type checker gigabytes, a grading that outlasts its wall clock. Graded
 * through real containers: each gets a clear verdict (never internal_error), the hidden canary
 * never appears, the grading ends well before the container's wall limit, the result is stored
 * in a real PostgreSQL jsonb column, no container is left, and the next grading is normal.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemPackage, Result, Verdict } from '@assay/contracts';
import { createPool, finishSubmission, inTransaction, insertSubmission, migrate, type Pool, recordProblemVersion } from '@assay/platform';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBLEMS = path.join(HERE, 'fixtures', 'problems');
const ATTACKS = path.join(HERE, 'fixtures', 'robustness');
const RUN = `robust-${process.pid}-${Date.now()}`;
const CANARY = 'CANARY-7f3a9c1e';
/** The host kills a container this long past the problem's wall limit (CONTAINER_GRACE_MS). */
const CONTAINER_GRACE_MS = 8000;

let grader: Grader;
let canary: ProblemPackage;
let slowSuite: ProblemPackage;
let env: TestEnv;
let pool: Pool;
let n = 0;

const attack = (file: string) => readFileSync(path.join(ATTACKS, file), 'utf8');

async function grade(problem: ProblemPackage, code: string, language: 'javascript' | 'typescript' = 'javascript'): Promise<Result> {
  const file = language === 'javascript' ? 'solution.js' : 'solution.ts';
  return grader.grade({ problem, language, files: [{ path: file, content: code }] }, { submissionId: `${RUN}-${n++}` });
}

/** Every string in `value`, keys included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What every attack's result must be, whatever its verdict. */
async function expectClean(result: Result, problem: ProblemPackage, wallLimitMs = problem.manifest.limits.wallMs): Promise<void> {
  expect(result.verdict, result.summary).not.toBe('internal_error');
  expect(JSON.stringify(result)).not.toContain(CANARY);
  expect(result.resources.wallMs).toBeLessThan(wallLimitMs);
  for (const s of strings(result)) {
    expect(s.includes('\u0000'), JSON.stringify(s.slice(0, 80))).toBe(false);
    expect(LONE_SURROGATE.test(s), JSON.stringify(s.slice(0, 80))).toBe(false);
  }
  await store(result, problem);
}

/** Stores the result as the worker does: a jsonb column refuses what PostgreSQL cannot hold. */
async function store(result: Result, problem: ProblemPackage): Promise<void> {
  const id = randomUUID();
  await insertSubmission(pool, {
    id,
    orgId: null,
    apiKeyId: null,
    problemId: problem.manifest.id,
    problemVersion: problem.manifest.version,
    language: result.language,
    files: [{ path: 'solution.js', content: '' }],
    callbackUrl: null,
    callbackSecret: null,
    idempotencyScope: null,
    idempotencyKey: null,
    requestHash: 'x',
    clientAddress: null,
  });
  const stored = await inTransaction(pool, (client) => finishSubmission(client, id, 'completed', result, 1, null));
  expect(stored.result.verdict).toBe(result.verdict);
}

beforeAll(async () => {
  grader = await Grader.create();
  canary = await loadProblem('canary', PROBLEMS);
  slowSuite = await loadProblem('slow-suite', PROBLEMS);
  env = await createTestEnv('grader_robustness');
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  for (const p of [canary, slowSuite]) await recordProblemVersion(pool, p);
});

afterAll(async () => {
  await grader?.close();
  await pool?.end();
  await env?.cleanup();
  const docker = new Docker();
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1'] }) });
  expect(left.filter((c) => c.Labels['assay.submission']?.startsWith(RUN))).toEqual([]);
});

const sample = (r: Result) => r.suites[0]!.tests[0]!;
/** A type nested 3,000 deep: the TypeScript parser overflowed the host's main thread on it. */
const deepGenerics = `type A<T> = { v: T };\nexport type Deep = ${'A<'.repeat(3000)}string${'>'.repeat(3000)};\nexport function echo(t: string): string {\n  return t;\n}\n`;

const attacks: { name: string; file: string; verdict: Verdict | Verdict[]; check?: (r: Result) => void }[] = [
  {
    name: 'a class instance as the sample answer (a live handle on the subject process)',
    file: 'live-instance.js',
    verdict: 'wrong_answer',
    check: (r) => expect(sample(r)).toMatchObject({ status: 'failed', expected: 'hello', actual: '[candidate object]' }),
  },
  {
    name: 'a bigint as the answer',
    file: 'bigint.js',
    verdict: 'wrong_answer',
    check: (r) => expect(sample(r).actual).toBe('1000000000000000000000000000000n'),
  },
  { name: 'throws of proxies, revoked proxies, throwing getters', file: 'hostile-throws.js', verdict: 'runtime_error' },
  {
    name: 'error names and messages of megabytes, past the subject’s caps',
    file: 'giant-error-name.js',
    verdict: 'runtime_error',
    check: (r) => expect(JSON.stringify(r).length).toBeLessThan(20_000),
  },
  {
    name: 'a forged load reply with 2,000 long diagnostics',
    file: 'forged-diagnostics.js',
    verdict: 'compile_error',
    check: (r) => {
      expect(r.compile.diagnostics).toHaveLength(50);
      expect(Math.max(...r.compile.diagnostics.map((d) => d.message.length))).toBeLessThanOrEqual(2001);
    },
  },
  {
    name: 'a 20 MB protocol line from code that will not exit',
    file: 'forged-huge-line.js',
    verdict: 'runtime_error',
    check: (r) => expect(r.summary).toContain('broke the driver protocol'),
  },
  {
    name: 'three million nested brackets from code that will not exit',
    file: 'nested-brackets.js',
    verdict: 'runtime_error',
    check: (r) => expect(r.summary).toContain('nests too deeply'),
  },
  { name: 'a line that is not JSON, then waiting with process.exit disabled', file: 'garbage-then-hang.js', verdict: 'runtime_error' },
  // Killed for the flood, or stuck writing into a socket the driver stopped reading: either way bounded.
  { name: 'millions of requests, never reading an answer', file: 'request-flood.js', verdict: ['runtime_error', 'time_limit_exceeded'] },
  { name: 'forged tags in every answer', file: 'forged-tags.js', verdict: 'wrong_answer' },
  {
    name: 'NUL characters and lone surrogates in output and answers',
    file: 'nul-and-surrogates.js',
    verdict: 'wrong_answer',
    check: (r) => expect(r.output.stdout).toContain('out \uFFFD nul'),
  },
];

describe('attacks on the grader’s machinery', () => {
  for (const a of attacks) {
    it(`${a.name} → ${([] as Verdict[]).concat(a.verdict).join(' or ')}`, async () => {
      const result = await grade(canary, attack(a.file));
      await expectClean(result, canary);
      expect(([] as Verdict[]).concat(a.verdict), `${result.verdict}: ${result.summary}`).toContain(result.verdict);
      a.check?.(result);
    });
  }

  it('3,000-deep generics: the host analyses them off its main thread; the code is graded', async () => {
    const result = await grade(canary, deepGenerics, 'typescript');
    await expectClean(result, canary);
    expect(result.verdict).toBe('accepted');
  });

  it('a type-check bomb costs the host a bounded heap, and is graded without the type check', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    try {
      const result = await grade(canary, attack('type-memory-bomb.ts.txt'), 'typescript');
      await expectClean(result, canary);
      expect(result.verdict).toBe('accepted');
    } finally {
      clearInterval(sampler);
    }
    // The analysis worker's heap is capped at 512 MB; unbounded, the checker takes gigabytes.
    expect(peak - before).toBeLessThan(1024 * 1024 * 1024);
  });

  it('a grading that outlasts its wall clock keeps what it measured: a verdict before the host kills it', async () => {
    const result = await grade(slowSuite, attack('stalls-after-first-call.js'));
    await expectClean(result, slowSuite, slowSuite.manifest.limits.wallMs + CONTAINER_GRACE_MS);
    expect(result.verdict).toBe('time_limit_exceeded');
    expect(result.suites[0]!.tests.map((t) => t.status)).toEqual(['passed', 'timeout', 'skipped']);
  });

  it('the next submission after all of that grades normally', async () => {
    const result = await grade(canary, 'export function echo(t) { return t; }');
    expect(result).toMatchObject({ verdict: 'accepted', score: 100 });
  });
});
