/**
 * Every problem package, validated through the real grader and real containers: the reference
 * is accepted with its expected complexity, starters compile and are not accepted, and every
 * known-verdict solution gets exactly its verdict (and measured class, for slow ones).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Grader, validatePackage } from '@assay/grader';
import { listProblemIds, loadProblem } from '@assay/sdk/package';

const ids = await listProblemIds();
let grader: Grader;

beforeAll(async () => {
  grader = await Grader.create();
});

describe('problem catalogue', () => {
  it('has packages', () => {
    expect(ids.length).toBeGreaterThan(0);
  });

  // Two packages at a time: each sandbox is capped at one CPU, and timings leave out the time a
  // process waits for a CPU, so the verdicts do not depend on this (vitest's maxConcurrency is 2).
  for (const id of ids) {
    it.concurrent(`${id}: every known-verdict solution gets its verdict`, { timeout: 900_000 }, async () => {
      const pkg = await loadProblem(id);
      const lines: string[] = [];
      const report = await validatePackage(
        pkg,
        (req) => grader.grade(req),
        (line) => lines.push(line),
      );
      const failures = report.checks.filter((c) => !c.ok).map((c) => `${c.subject}: expected ${c.expected}, got ${c.got}`);
      expect(failures, lines.join('\n')).toEqual([]);
    });
  }
});
