import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceAnalyzer } from './SourceAnalyzer';

const checker = new SourceAnalyzer();
afterAll(() => checker.close());

describe('type check', () => {
  it('passes code that type-checks, node types included', async () => {
    const r = await checker.typeCheck([
      {
        path: 'solution.ts',
        content:
          "import { createHash } from 'node:crypto';\nimport { twice } from './util';\n" +
          "export const h = (s: string): string => createHash('sha1').update(s).digest('hex') + twice(2);\n",
      },
      { path: 'util.ts', content: 'export function twice(n: number): number { return n * 2; }\n' },
    ]);
    expect(r).toEqual({ ok: true, diagnostics: [] });
  });

  it('reports type errors as file:line:column', async () => {
    const r = await checker.typeCheck([{ path: 'solution.ts', content: 'export class A {\n  get(): number {\n    return "x";\n  }\n}\n' }]);
    expect(r.ok && r.diagnostics[0]).toMatchObject({
      file: 'solution.ts',
      line: 3,
      column: 5,
      message: expect.stringContaining("TS2322: Type 'string' is not assignable to type 'number'"),
    });
  });

  it('is lenient about implicit any and nullability', async () => {
    const r = await checker.typeCheck([
      {
        path: 'solution.ts',
        content: 'export function f(x) { const m = new Map<string, number>(); const v: number = m.get(x); return v; }\n',
      },
    ]);
    expect(r).toEqual({ ok: true, diagnostics: [] });
  });

  it('cannot be made to read host files through imports', async () => {
    const r = await checker.typeCheck([
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

const ROBUSTNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'robustness');
const fixture = (name: string) => [{ path: 'solution.ts', content: readFileSync(path.join(ROBUSTNESS, name), 'utf8') }];
const ok = [{ path: 'solution.ts', content: 'export const n: number = 1;\n' }];
/** The TypeScript parser recurses once (or more) per level: 3,000 overflow the host's main thread. */
const deepGenerics = (n: number) => `type A<T> = { v: T };\nexport type Deep = ${'A<'.repeat(n)}string${'>'.repeat(n)};\n`;
const deepArray = (n: number) => `export const deep = ${'['.repeat(n)}1${']'.repeat(n)};\n`;

describe('static hints', () => {
  it('are found in the worker', async () => {
    const r = await checker.staticHints([{ path: 'solution.js', content: 'export class C { get(k) { return this.a.indexOf(k); } }\n' }]);
    expect(r.ok && r.found.map((f) => [f.hint.pattern, f.method])).toEqual([['indexOf()', 'get']]);
  });

  it.each([
    ['generics', deepGenerics],
    ['an array literal', deepArray],
  ])('3,000-deep %s are scanned (the worker has the stack for it)', async (_, deep) => {
    expect(await checker.staticHints([{ path: 'solution.ts', content: deep(3000) }])).toEqual({ ok: true, found: [] });
  });

  it.each([
    ['generics', deepGenerics],
    ['an array literal', deepArray],
  ])('100,000-deep %s: no hints (the parser overflows its stack), and the worker lives on', async (_, deep) => {
    const r = await checker.staticHints([{ path: 'solution.ts', content: deep(100_000) }]);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/call stack/) });
    expect(await checker.staticHints(ok)).toEqual({ ok: true, found: [] });
  });
});

describe('a pathological program fails its own job only', () => {
  it('100,000-deep generics: the type check fails, the next one runs', async () => {
    expect(await checker.typeCheck([{ path: 'solution.ts', content: deepGenerics(100_000) }])).toEqual({
      ok: false,
      reason: expect.stringMatching(/call stack/),
    });
    expect(await checker.typeCheck(ok)).toEqual({ ok: true, diagnostics: [] });
  });

  it('a type check past its heap limit fails alone; a check queued behind it runs on a fresh worker', async () => {
    // The time limit is far off: the heap limit must be what stops it.
    const small = new SourceAnalyzer({ heapMb: 256, typeCheckMs: 120_000 });
    try {
      const [bomb, next] = await Promise.all([small.typeCheck(fixture('type-memory-bomb.ts.txt')), small.typeCheck(ok)]);
      expect(bomb).toEqual({ ok: false, reason: 'ran out of memory (256 MB)' });
      expect(next).toEqual({ ok: true, diagnostics: [] });
    } finally {
      await small.close();
    }
  });

  it('a type check past its time limit fails alone; a check queued behind it runs on a fresh worker', async () => {
    const quick = new SourceAnalyzer({ typeCheckMs: 20_000 });
    try {
      const [bomb, next] = await Promise.all([quick.typeCheck(fixture('type-time-bomb.ts.txt')), quick.typeCheck(ok)]);
      expect(bomb).toEqual({ ok: false, reason: 'took longer than 20 s' });
      expect(next).toEqual({ ok: true, diagnostics: [] });
    } finally {
      await quick.close();
    }
  });

  it('a closed analyzer answers at once', async () => {
    const closed = new SourceAnalyzer();
    await closed.close();
    expect(await closed.typeCheck(ok)).toEqual({ ok: false, reason: 'the analyzer was closed' });
  });
});
