import { Router } from 'express';
import type { ProblemPackage } from '@assay/contracts';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { answerOtherMethods } from '../routing';

/** The candidate-facing view of a package: never its suites source, hidden tests, reference or known-verdict solutions. */
export function problemsRouter(ctx: ApiContext): Router {
  const r = Router();
  const summary = (p: ProblemPackage) => {
    const m = p.manifest;
    return {
      id: m.id,
      title: m.title,
      version: m.version,
      difficulty: m.difficulty,
      tags: m.tags,
      estimatedMinutes: m.estimatedMinutes,
      kind: m.kind,
      languages: m.languages,
      practice: ctx.problems.isPractice(m.id),
    };
  };

  r.get('/v1/problems', (_req, res) => {
    res.json({ items: ctx.problems.list().map(summary) });
  });

  r.get('/v1/problems/:id', async (req, res) => {
    const p = ctx.problems.get(req.params.id);
    if (!p) throw new HttpError('not-found', `no problem "${req.params.id}"; the problems are: ${ctx.problems.ids().join(', ')}`);
    const m = p.manifest;
    res.json({
      ...summary(p),
      statement: p.statement,
      entry: m.entry,
      starter: p.starter,
      limits: m.limits,
      suites: Object.entries(m.suites).flatMap(([name, s]) => (s ? [{ name, weight: s.weight }] : [])),
      sampleTests: await ctx.problems.sampleTestNames(p),
      complexity: m.complexity.map((c) => ({ operation: c.operation, expected: c.expected })),
    });
  });
  return answerOtherMethods(r);
}
