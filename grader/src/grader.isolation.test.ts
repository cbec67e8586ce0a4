/**
 * Attacks on the latency measurement, end to end through real containers. The candidate is timed
 * next to the reference solution in the same container; whatever it does, it must not slow the
 * reference down, reach it, kill it or notice it, nor get an internal_error (ours) out of it.
 * Each attack (fixtures/attacks/) is graded like a submission; timings are only compared as
 * generous ratios against a clean run of the same problem in the same file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemPackage, Result } from '@assay/contracts';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBLEMS = path.join(HERE, 'fixtures', 'problems');
const ATTACKS = path.join(HERE, 'fixtures', 'attacks');
const RUN = `isolation-${process.pid}-${Date.now()}`;
/** The hidden tests' secret in both fixture problems starts with this. */
const CANARY = 'CANARY-';

let grader: Grader;
let sumLatency: ProblemPackage;
let echoService: ProblemPackage;
let n = 0;

async function grade(problem: ProblemPackage, attack: string): Promise<Result> {
  const content = readFileSync(path.join(ATTACKS, attack), 'utf8');
  const entry = problem.manifest.entry.javascript!;
  return grader.grade({ problem, language: 'javascript', files: [{ path: entry, content }] }, { submissionId: `${RUN}-${n++}` });
}

/** Never ours, never a hidden test's data. */
function expectClean(result: Result): void {
  expect(result.verdict, result.summary).not.toBe('internal_error');
  expect(JSON.stringify(result)).not.toContain(CANARY);
}

const referenceP50 = (result: Result) => result.latency[0]!.reference.p50;

beforeAll(async () => {
  grader = await Grader.create();
  sumLatency = await loadProblem('sum-latency', PROBLEMS);
  echoService = await loadProblem('echo-service', PROBLEMS);
});

afterAll(async () => {
  await grader.close();
  const docker = new Docker();
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['assay.sandbox=1'] }) });
  expect(left.filter((c) => c.Labels['assay.submission']?.startsWith(RUN))).toEqual([]);
});

describe('latency isolation in a module problem', () => {
  let clean: Result;

  beforeAll(async () => {
    clean = await grade(sumLatency, 'sum-slow.js');
  });

  it('the clean control is correct but too slow: partial', () => {
    expectClean(clean);
    expect(clean.verdict, clean.summary).toBe('partial');
    expect(clean.latency[0]).toMatchObject({ passed: false });
  });

  it('CPU hogs in worker threads and detached processes, run while the reference is timed, do not slow it', async () => {
    const result = await grade(sumLatency, 'sum-cpu-hogs.js');
    expectClean(result);
    expect(result.verdict, result.summary).not.toBe('accepted');
    expect(referenceP50(result) / referenceP50(clean)).toBeLessThan(3);
  });

  it('taking every pid just before latency is the candidate’s doing: the benchmark still runs', async () => {
    const result = await grade(sumLatency, 'sum-pids.js');
    expectClean(result);
    expect(result.verdict, result.summary).toBe('partial');
    expect(result.latency[0]!.error).toBeUndefined();
    expect(referenceP50(result) / referenceP50(clean)).toBeLessThan(3);
  });

  it('filling the memory during latency is the candidate’s memory_limit_exceeded, and the reference is not killed', async () => {
    const result = await grade(sumLatency, 'sum-memory.js');
    expectClean(result);
    expect(result.verdict, result.summary).toBe('memory_limit_exceeded');
    expect(result.summary).toContain("the candidate's processes");
    expect(JSON.stringify(result)).not.toContain('reference solution stopped');
  });

  it('a process of the reference’s uid is there, paused, before candidate code runs', async () => {
    const result = await grade(sumLatency, 'sum-uid-watch.js');
    expectClean(result);
    expect(result.verdict, result.summary).toBe('accepted');
    expect(result.output.stdout).toMatch(/uid 3000 at import: [1-9]\d* process\(es\), states T(,T)*\n/);
  });
});

describe('latency isolation in a service problem', () => {
  let clean: Result;

  beforeAll(async () => {
    clean = await grade(echoService, 'echo-slow.js');
  });

  it('the clean control is correct and measured', () => {
    expectClean(clean);
    expect(['accepted', 'partial']).toContain(clean.verdict);
    expect(clean.latency[0]!.error).toBeUndefined();
  });

  it('squatting 3001 and hundreds of ports, then flooding and queuing requests at every server it sees, reaches nothing', async () => {
    const result = await grade(echoService, 'echo-flood.js');
    expectClean(result);
    // Accepted only if the same code without the attack is too.
    if (clean.verdict !== 'accepted') expect(result.verdict, result.summary).not.toBe('accepted');
    expect(result.latency[0]!.error).toBeUndefined();
    expect(referenceP50(result) / referenceP50(clean)).toBeLessThan(4);
  });

  it('proxying to any server it can find reaches nothing: its own wrong answers count', async () => {
    const result = await grade(echoService, 'echo-proxy.js');
    expectClean(result);
    expect(result.verdict, result.summary).toBe('wrong_answer');
  });
});
