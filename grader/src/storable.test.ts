/**
 * A result full of what candidate code can print or return — NUL characters and lone
 * surrogates in output, names, messages, values and keys — stored in a real PostgreSQL jsonb
 * column through platform's repository: refused as it is, stored once made `storable`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Result, ResultSchema } from '@assay/contracts';
import {
  createPool,
  finishSubmission,
  getSubmission,
  inTransaction,
  insertSubmission,
  migrate,
  type Pool,
  recordProblemVersion,
} from '@assay/platform';
import { createTestEnv, type TestEnv } from '@assay/platform/testing';
import { loadProblem } from '@assay/sdk/package';
import { storable } from './storable';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'problems');
const BAD = 'nul\u0000 high\uD800 low\uDC00 end\uD83D';

function hostileResult(): Result {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    verdict: 'wrong_answer',
    score: 0,
    summary: `1 of 1 correctness tests failed ${BAD}`,
    problem: { id: 'canary', version: '1.0.0' },
    language: 'javascript',
    suites: [
      {
        name: 'correctness',
        weight: 100,
        passed: 0,
        total: 1,
        tests: [
          {
            name: `echoes ${BAD}`,
            status: 'failed',
            durationMs: 1,
            sample: true,
            message: `expected "hello", got "${BAD}"`,
            expected: 'hello',
            actual: { [`key ${BAD}`]: [BAD, { nested: BAD }] },
          },
        ],
      },
    ],
    latency: [],
    complexity: [],
    staticHints: [],
    compile: { ok: true, diagnostics: [{ file: 'solution.js', line: 1, column: 1, message: BAD }] },
    resources: { cpuMs: 1, peakMemoryBytes: 1, wallMs: 1 },
    output: { stdout: BAD, stderr: `\u0000${BAD}`, truncated: false },
    timings: { startedAt: now, finishedAt: now },
    graderVersion: 'test',
  };
}

let env: TestEnv;
let pool: Pool;

beforeAll(async () => {
  env = await createTestEnv('grader_storable');
  await migrate(env.config.databaseUrl);
  pool = createPool(env.config);
  await recordProblemVersion(pool, await loadProblem('canary', FIXTURES));
});

afterAll(async () => {
  await pool?.end();
  await env?.cleanup();
});

async function newSubmission(): Promise<string> {
  const id = randomUUID();
  await insertSubmission(pool, {
    id,
    orgId: null,
    apiKeyId: null,
    problemId: 'canary',
    problemVersion: '1.0.0',
    language: 'javascript',
    files: [{ path: 'solution.js', content: 'export function echo(t) { return t; }' }],
    callbackUrl: null,
    callbackSecret: null,
    idempotencyScope: null,
    idempotencyKey: null,
    requestHash: 'x',
    clientAddress: null,
  });
  return id;
}

const store = (id: string, result: Result) => inTransaction(pool, (client) => finishSubmission(client, id, 'completed', result, 1, null));

describe('results in a jsonb column', () => {
  it('as the candidate made it, PostgreSQL refuses the result', async () => {
    await expect(store(await newSubmission(), hostileResult())).rejects.toThrow(/Unicode|escape|surrogate|\\u0000/i);
  });

  it('made storable, it is stored and reads back as stored, still a valid Result', async () => {
    const id = await newSubmission();
    const result = ResultSchema.parse(storable(hostileResult()));
    const stored = await store(id, result);
    expect(stored.wrote).toBe(true);
    const read = (await getSubmission(pool, id))!.result!;
    expect(read).toEqual(result);
    expect(ResultSchema.safeParse(read).success).toBe(true);
    expect(read.output.stdout).toBe('nul\uFFFD high\uFFFD low\uFFFD end\uFFFD');
  });
});
