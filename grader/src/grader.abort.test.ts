/**
 * A worker shutting down aborts its gradings: the container goes at once, the result is an
 * internal_error (ours: the job runs again), and nothing is left behind.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { expect, it } from 'vitest';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'problems');

it('aborting a grading stops its container and reports an internal_error', async () => {
  const grader = await Grader.create();
  const problem = await loadProblem('canary', FIXTURES);
  const submissionId = `abort-${process.pid}-${Date.now()}`;
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 1500);
  const result = await grader.grade(
    { problem, language: 'javascript', files: [{ path: 'solution.js', content: 'export function echo(t) { for (;;) {} }' }] },
    { submissionId, signal: ac.signal },
  );
  expect(result.verdict).toBe('internal_error');
  expect(result.summary).toMatch(/will be retried/);
  expect(Date.now() - started).toBeLessThan(6000); // not the busy loop's timeouts
  const left = await new Docker().listContainers({ all: true, filters: JSON.stringify({ label: [`assay.submission=${submissionId}`] }) });
  expect(left).toEqual([]);
});
