/** The generated OpenAPI document passes redocly's `recommended` rules with no error and no warning (offline, in-process). */
import { describe, expect, it } from 'vitest';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { openApiDocument } from './openapi';

describe('OpenAPI document', () => {
  it("is clean under redocly's recommended rules: 0 errors, 0 warnings", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(openApiDocument()), absoluteRef: '/openapi.json', config });
    const found = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(found).toEqual([]);
  });

  it('marks the public routes public, names every operation, and documents a 4xx on each', () => {
    const doc = openApiDocument() as {
      security?: unknown;
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ path, m, op })));
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
    for (const { op } of ops) expect(Object.keys(op.responses).some((c) => /^4\d\d$/.test(c))).toBe(true);
    const pub = ops.filter((o) => ['/v1/problems', '/v1/problems/{id}', '/healthz', '/readyz', '/metrics'].includes(o.path));
    expect(pub).toHaveLength(5);
    for (const { op } of pub) expect(op.security).toEqual([]);
  });
});
