/**
 * Grading the same accepted solution five times gives the same verdict, score and complexity
 * classes every time (timings differ; what they decide must not).
 */
import pino from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { loadProblem } from '@assay/sdk/package';
import { Grader } from './Grader';

let grader: Grader;
beforeAll(async () => {
  // Internal failures are logged, so a failing run says why.
  grader = await Grader.create({ logger: pino({ level: 'warn' }, pino.destination(2)) });
});

it('lru-cache reference: five gradings, one outcome', { timeout: 300_000 }, async () => {
  const problem = await loadProblem('lru-cache');
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await grader.grade({ problem, language: problem.reference.language, files: problem.reference.files });
    outcomes.push(
      JSON.stringify({
        verdict: r.verdict,
        score: r.score,
        classes: r.complexity.map((c) => [c.operation, c.class]),
        tests: r.suites.map((s) => [s.name, s.passed, s.total]),
      }),
    );
  }
  expect(new Set(outcomes).size, outcomes.join('\n')).toBe(1);
  expect(JSON.parse(outcomes[0]!)).toMatchObject({
    verdict: 'accepted',
    score: 100,
    classes: [
      ['get', 'sublinear'],
      ['put', 'sublinear'],
    ],
  });
});
