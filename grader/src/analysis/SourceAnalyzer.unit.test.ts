import { afterAll, describe, expect, it } from 'vitest';
import { TypeChecker } from './TypeChecker';

const checker = new TypeChecker();
afterAll(() => checker.close());

describe('TypeChecker', () => {
  it('passes code that type-checks, node types included', async () => {
    const r = await checker.check([
      {
        path: 'solution.ts',
        content:
          "import { createHash } from 'node:crypto';\nimport { twice } from './util';\nexport const h = (s: string): string => createHash('sha1').update(s).digest('hex') + twice(2);\n",
      },
      { path: 'util.ts', content: 'export function twice(n: number): number { return n * 2; }\n' },
    ]);
    expect(r).toEqual({ ok: true, diagnostics: [] });
  });

  it('reports type errors as file:line:column', async () => {
    const r = await checker.check([{ path: 'solution.ts', content: 'export class A {\n  get(): number {\n    return "x";\n  }\n}\n' }]);
    expect(r.ok && r.diagnostics[0]).toMatchObject({
      file: 'solution.ts',
      line: 3,
      column: 5,
      message: expect.stringContaining("TS2322: Type 'string' is not assignable to type 'number'"),
    });
  });

  it('is lenient about implicit any and nullability', async () => {
    const r = await checker.check([
      {
        path: 'solution.ts',
        content: 'export function f(x) { const m = new Map<string, number>(); const v: number = m.get(x); return v; }\n',
      },
    ]);
    expect(r).toEqual({ ok: true, diagnostics: [] });
  });

  it('cannot be made to read host files through imports', async () => {
    const r = await checker.check([
      {
        path: 'solution.ts',
        content: "import x from '/etc/passwd';\nimport y from '../../../../etc/hostname';\nexport const z = [x, y];\n",
      },
    ]);
    expect(r.ok).toBe(true);
    const text = JSON.stringify(r);
    expect(text).toMatch(/TS2307: Cannot find module/);
    expect(text).not.toMatch(/root:x:0:0/);
  });
});
