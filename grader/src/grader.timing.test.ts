/**
 * Timing that does not trust the subject, end to end through real containers: candidates that
 * tell timed batches from test calls and skip work or answer wrongly there, stall the driver's
 * empty batches, load the machine from worker threads, hang inside a timed batch, or answer an
 * HTTP benchmark's requests with shortcuts; and slow solutions that used to pass as inconclusive
 * or whose costly path no probe reached. None may be accepted, none may be an internal error,
 * and honest solutions whose results differ from the reference's where the statement allows it
 * stay accepted. The attack files are in fixtures/attacks/<problem>/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemPackage, Result, TestResult } from '@assay/contracts';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const ATTACKS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'attacks');
const PROBLEMS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'problems');
const RUN = `timing-${process.pid}-${Date.now()}`;
/** One grading of a slow solution under load can take a few minutes on a busy 2-core machine. */
const GRADING_TIMEOUT_MS = 400_000;

let grader: Grader;
const packages = new Map<string, ProblemPackage>();
let n = 0;

async function grade(problemId: string, file: string): Promise<Result> {
  const problem = packages.get(problemId)!;
  const language = file.endsWith('.ts') ? 'typescript' : 'javascript';
  const content = await readFile(file.startsWith('problems/') ? path.join(PROBLEMS, '..', file) : path.join(ATTACKS, file), 'utf8');
  return grader.grade({ problem, language, files: [{ path: path.basename(file), content }] }, { submissionId: `${RUN}-${n++}` });
}

const timingTests = (r: Result): TestResult[] =>
  r.suites.filter((s) => s.name !== 'correctness' && s.name !== 'stress').flatMap((s) => s.tests);
const correctnessPassed = (r: Result) => r.suites.find((s) => s.name === 'correctness')!.tests.every((t) => t.status === 'passed');

function expectCaught(r: Result): void {
  expect(r.verdict, r.summary).not.toBe('accepted');
  expect(r.verdict, r.summary).not.toBe('internal_error');
  expect(correctnessPassed(r), 'the correctness results are kept').toBe(true);
}

/** Keeps one core busy on the host while `work` runs: machine load must not let slow code through. */
async function underLoad<T>(work: () => Promise<T>): Promise<T> {
  const hog: ChildProcess = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  try {
    return await work();
  } finally {
    hog.kill('SIGKILL');
  }
}

beforeAll(async () => {
  grader = await Grader.create();
  for (const id of [
    'lru-cache',
    'sliding-window-limiter',
    'task-api',
    'url-shortener',
    'bloom-filter',
    'cursor-pagination',
    'first-unique-char',
  ])
    packages.set(id, await loadProblem(id));
});

afterAll(async () => {
  await grader?.close();
  const docker = new Docker();
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1'] }) });
  expect(left.filter((c) => c.Labels['assay.submission']?.startsWith(RUN))).toEqual([]);
});

describe('timed batches are checked, whatever the candidate tells from them', () => {
  it(
    'work skipped inside batches (told from the stack and from back-to-back calls) fails every benchmark and probe',
    async () => {
      const r = await grade('lru-cache', 'lru-cache/skips-work-in-batches.js');
      expectCaught(r);
      expect(r.verdict).toBe('partial');
      for (const t of timingTests(r)) {
        expect(t.status, t.name).toBe('failed');
        expect(t.message, t.name).toMatch(
          /read-back after timed batches differs from the reference's|results inside timed batches differ from the reference's/,
        );
      }
    },
    GRADING_TIMEOUT_MS,
  );

  it(
    'values that are wrong only inside batches fail every benchmark and probe',
    async () => {
      const r = await grade('lru-cache', 'lru-cache/wrong-only-in-batches.js');
      expectCaught(r);
      expect(r.verdict).toBe('partial');
      for (const t of timingTests(r)) {
        expect(t.status, t.name).toBe('failed');
        expect(t.message, t.name).toMatch(/differs? from the reference's/);
      }
    },
    GRADING_TIMEOUT_MS,
  );

  it(
    'stalling the empty batches buys nothing: the slow cache still fails its latency benchmarks',
    async () => {
      const r = await grade('lru-cache', 'lru-cache/stalls-empty-batches.js');
      expectCaught(r);
      expect(r.verdict).toBe('partial');
      expect(r.latency.filter((l) => !l.passed && l.ratio > l.allowedRatio).length).toBeGreaterThan(0);
    },
    GRADING_TIMEOUT_MS,
  );

  it(
    'CPU hogs in worker threads cost the candidate time instead of the reference',
    async () => {
      const r = await grade('lru-cache', 'lru-cache/hogs-in-workers.js');
      expectCaught(r);
      expect(r.latency.length).toBeGreaterThan(0);
      expect(r.latency.some((l) => !l.passed)).toBe(true);
    },
    GRADING_TIMEOUT_MS,
  );

  it.each([
    ['cursor-pagination', 'cursor-pagination/empty-pages-when-large.ts', 'page'],
    ['first-unique-char', 'first-unique-char/gives-up-on-long-strings.js', 'firstUniqueChar'],
  ])(
    '%s: slow code answering wrongly but the same when asked again, on inputs only probes use (%s), fails its probe',
    async (problem, file, op) => {
      const r = await grade(problem, file);
      expectCaught(r);
      expect(r.verdict).toBe('partial');
      const probe = r.suites.find((s) => s.name === 'complexity')!.tests.find((t) => t.name === `complexity: ${op}`)!;
      expect(probe.status, probe.message).toBe('failed');
      expect(probe.message).toMatch(/results inside timed batches differ from the reference's/);
    },
    GRADING_TIMEOUT_MS,
  );

  it(
    'a spin inside a timed batch fails that measurement, keeps every earlier result and ends long before the wall clock',
    async () => {
      const r = await grade('lru-cache', 'lru-cache/spins-in-batches.js');
      expectCaught(r);
      expect(r.verdict).toBe('time_limit_exceeded');
      expect(
        timingTests(r).some((t) => t.status === 'timeout' && /a timed batch of `\w+` ran longer than \d+ ms/.test(t.message ?? '')),
      ).toBe(true);
      expect(r.resources.wallMs).toBeLessThan(packages.get('lru-cache')!.manifest.limits.wallMs / 2);
    },
    GRADING_TIMEOUT_MS,
  );
});

describe('HTTP benchmarks check every response', () => {
  it(
    'a task API answering the benchmark with bare 302s and empty 200s fails its benchmarks',
    async () => {
      const r = await grade('task-api', 'task-api/shortcuts-benchmark-requests.js');
      expectCaught(r);
      expect(r.verdict).toBe('partial');
      for (const l of r.latency) {
        expect(l.passed, l.operation).toBe(false);
        expect(l.error, l.operation).toMatch(/responses differ from the reference server's to the same requests/);
      }
    },
    GRADING_TIMEOUT_MS,
  );

  it(
    'a shortener answering redirects without a Location fails its benchmark',
    async () => {
      const r = await grade('url-shortener', 'url-shortener/bare-302-redirects.js');
      expectCaught(r);
      expect(r.latency[0]!.passed).toBe(false);
      expect(r.latency[0]!.error).toMatch(/Location header differs/);
    },
    GRADING_TIMEOUT_MS,
  );
});

describe('probes measure the costly path, plan their sizes and never pass by being inconclusive', () => {
  it(
    'an LRU cache that scans for the oldest key only when it evicts fails the put probe',
    async () => {
      const r = await grade('lru-cache', 'problems/lru-cache/submissions/partial/timestamp-scan.ts');
      expectCaught(r);
      const put = r.complexity.find((c) => c.operation === 'put')!;
      expect(put.class).toBe('linear');
      expect(put.hint).toBeDefined();
      expect(r.suites.find((s) => s.name === 'complexity')!.tests.find((t) => t.name === 'complexity: put')!.status).toBe('failed');
    },
    GRADING_TIMEOUT_MS,
  );

  it.each([
    ['sliding-window-limiter', 'sliding-window-limiter/filters-every-call.js', 'tryAcquire'],
    ['lru-cache', 'lru-cache/find-index-scan.js', 'get'],
  ])(
    '%s: %s fails its probe, also with a core of the machine kept busy',
    async (problem, file, op) => {
      for (const r of [await grade(problem, file), await underLoad(() => grade(problem, file))]) {
        expectCaught(r);
        expect(r.verdict).toBe('partial');
        const probe = r.suites.find((s) => s.name === 'complexity')!.tests.find((t) => t.name === `complexity: ${op}`)!;
        expect(probe.status, probe.message).toBe('failed');
        expect(r.complexity.find((c) => c.operation === op)!.hint).toBeDefined();
      }
    },
    2 * GRADING_TIMEOUT_MS,
  );
});

describe('honest code whose results the statement leaves open stays accepted', () => {
  it(
    "a Bloom filter with other hash functions than the reference's (other false positives)",
    async () => {
      const r = await grade('bloom-filter', 'problems/bloom-filter/submissions/accepted/fnv-bytes.js');
      expect(r.verdict, JSON.stringify(timingTests(r).map((t) => t.message))).toBe('accepted');
    },
    GRADING_TIMEOUT_MS,
  );
});
