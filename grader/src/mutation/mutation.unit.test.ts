import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProblemPackage } from '@assay/contracts';
import { activateMutant, countMutants, forMutationTesting } from './mutantPackage';
import { EquivalentsFileError, loadEquivalents, signatureOf } from './equivalents';
import { readStrykerReport, type ReportedMutant } from './strykerReport';
import { summarize, type MutantGrading } from './summary';

// What Stryker 9 emits, abridged: the header reads globalThis.__stryker__ once, then each switch asks it.
const INSTRUMENTED = `/** doc */
// @ts-nocheck
function stryNS_9fa48() {
  var g = globalThis;
  var ns = g.__stryker__ || (g.__stryker__ = {});
  return ns;
}
function stryMutAct_9fa48(id) { return stryNS_9fa48().activeMutant === id; }
export const f = (x) => stryMutAct_9fa48("1") ? x - 1 : stryMutAct_9fa48("0") ? 0 : x + 1;
export const g = (x) => stryMutAct_9fa48("1") ? 1 : x;
`;

function run(source: string): { f: (x: number) => number } {
  const g = globalThis as { __stryker__?: unknown };
  delete g.__stryker__;
  const body = source.replace(/export const (\w+) =/g, 'exports.$1 =');
  const exports: { f?: (x: number) => number } = {};
  new Function('exports', body)(exports);
  return exports as { f: (x: number) => number };
}

describe('activateMutant', () => {
  it('switches the given mutant on in the code itself, on the header line', () => {
    expect(run(activateMutant(INSTRUMENTED, null)).f(5)).toBe(6);
    expect(run(activateMutant(INSTRUMENTED, '1')).f(5)).toBe(4);
    expect(run(activateMutant(INSTRUMENTED, '0')).f(5)).toBe(0);
    expect(activateMutant(INSTRUMENTED, '1').split('\n')).toHaveLength(INSTRUMENTED.split('\n').length);
    expect(activateMutant(INSTRUMENTED, '1').split('\n')[1]).toBe('// @ts-nocheck');
  });

  it('refuses code Stryker did not instrument, and ids that are not ids', () => {
    expect(() => activateMutant('export const x = 1;', '1')).toThrow(/not instrumented by Stryker/);
    expect(() => activateMutant(INSTRUMENTED, '1"; evil(); "')).toThrow(/not a Stryker mutant id/);
  });

  it('counts each mutant once', () => {
    expect(countMutants(INSTRUMENTED)).toBe(2);
  });
});

describe('forMutationTesting', () => {
  const pkg = (suites: ProblemPackage['manifest']['suites']) =>
    ({ manifest: { suites, complexity: [{ operation: 'get', expected: 'sublinear' }] } }) as unknown as ProblemPackage;

  it('keeps correctness and stress, scaled to 100, and drops latency and complexity', () => {
    const m = forMutationTesting(
      pkg({ correctness: { weight: 60 }, stress: { weight: 20 }, latency: { weight: 20, allowedRatio: 4 } }),
    ).manifest;
    expect(m.suites).toEqual({ correctness: { weight: 75 }, stress: { weight: 25 } });
    expect(m.complexity).toEqual([]);
    expect(forMutationTesting(pkg({ correctness: { weight: 70 }, complexity: { weight: 30 } })).manifest.suites).toEqual({
      correctness: { weight: 100 },
    });
  });
});

const mutant = (id: string, over: Partial<ReportedMutant> = {}): ReportedMutant => ({
  id,
  file: 'reference/solution.ts',
  mutator: 'ConditionalExpression',
  original: 'a < b',
  replacement: 'false',
  line: 3,
  column: Number(id) + 1,
  endLine: 3,
  endColumn: Number(id) + 6,
  status: 'Killed',
  ...over,
});
const graded = (verdict: MutantGrading['verdict']): MutantGrading => ({ verdict, summary: verdict, ms: 1 });

describe('summarize', () => {
  it('judges each mutant by its verdict, and scores killed and timeouts over the non-equivalent ones', () => {
    const mutants = [
      mutant('0'),
      mutant('1', { status: 'Survived' }),
      mutant('2', { status: 'Survived' }),
      mutant('3'),
      mutant('4', { status: 'Timeout' }),
      mutant('5'),
      mutant('6'),
    ];
    const verdicts = new Map([
      ['0', graded('wrong_answer')],
      ['1', graded('accepted')],
      ['2', graded('accepted')],
      ['3', graded('time_limit_exceeded')],
      ['5', graded('internal_error')],
      // 6: Stryker says killed, but nothing was graded: not a kill.
    ]);
    const s = summarize('p', mutants, verdicts, new Map([[signatureOf(mutants[2]!), 'same behaviour']]));
    expect(s.mutants.map((m) => m.outcome)).toEqual(['killed', 'survived', 'equivalent', 'timeout', 'timeout', 'error', 'error']);
    expect(s.counts).toEqual({ killed: 1, timeout: 2, survived: 1, equivalent: 1, error: 2 });
    expect(s.score).toBe(50);
  });

  it('reports equivalence entries that match no mutant or whose mutant is killed', () => {
    const mutants = [mutant('0')];
    const s = summarize(
      'p',
      mutants,
      new Map([['0', graded('wrong_answer')]]),
      new Map([
        [signatureOf(mutants[0]!), 'wrongly thought equivalent'],
        ['BlockStatement@1:1-1:3 {}', 'gone'],
      ]),
    );
    expect(s.staleEquivalents.map((e) => e.problem)).toEqual(['the mutant is killed (wrong_answer)', 'matches no mutant']);
    expect(summarize('p', [], new Map(), new Map()).score).toBe(100);
  });

  it('never rounds a score up to the threshold', () => {
    const mutants = Array.from({ length: 1000 }, (_, i) => mutant(String(i)));
    const verdicts = new Map(mutants.map((m, i) => [m.id, graded(i < 899 ? 'wrong_answer' : 'accepted')]));
    expect(summarize('p', mutants, verdicts, new Map()).score).toBe(89.9);
    const almost = Array.from({ length: 10001 }, (_, i) => mutant(String(i)));
    const v2 = new Map(almost.map((m, i) => [m.id, graded(i < 9000 ? 'wrong_answer' : 'accepted')]));
    expect(summarize('p', almost, v2, new Map()).score).toBeLessThan(90);
  });
});

describe('signatures and the equivalence file', () => {
  it('writes a signature with the replacement on one line', () => {
    expect(signatureOf({ mutator: 'BlockStatement', line: 4, column: 38, endLine: 7, endColumn: 4, replacement: '{\n  }' })).toBe(
      'BlockStatement@4:38-7:4 { }',
    );
  });

  it('loads a valid file, treats a missing one as empty and refuses a wrong one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'assay-equivalents-'));
    expect((await loadEquivalents(dir)).size).toBe(0);
    await writeFile(
      path.join(dir, 'mutation.json'),
      JSON.stringify({ equivalent: { 'EqualityOperator@4:19-4:31 i <= s.length': 'reads one past the end' } }),
    );
    expect([...(await loadEquivalents(dir)).keys()]).toEqual(['EqualityOperator@4:19-4:31 i <= s.length']);
    await writeFile(
      path.join(dir, 'mutation.json'),
      JSON.stringify({ equivalent: { 'EqualityOperator@4:19-4:20 x': ' ', 'EqualityOperator@4:19 x': 'no end' }, extra: 1 }),
    );
    await expect(loadEquivalents(dir)).rejects.toThrow(EquivalentsFileError);
    await expect(loadEquivalents(dir)).rejects.toThrow(
      /equivalent\.EqualityOperator@4:19-4:20 x: say in one line.*equivalent\.EqualityOperator@4:19 x: must be a mutant signature.*Unrecognized key/,
    );
    await writeFile(path.join(dir, 'mutation.json'), '{');
    await expect(loadEquivalents(dir)).rejects.toThrow(/is not JSON/);
  });
});

describe('readStrykerReport', () => {
  it('reads each mutant in source order and refuses what is not a report', () => {
    const at = (line: number, column: number, endLine: number, endColumn: number) => ({
      start: { line, column },
      end: { line: endLine, column: endColumn },
    });
    const source = 'export function f(a: number, b: number) {\n  if (a < b) {\n    return a;\n  }\n  return b;\n}\n';
    const report = {
      schemaVersion: '1.0',
      files: {
        'reference/solution.ts': {
          language: 'typescript',
          source,
          mutants: [
            { id: '1', mutatorName: 'EqualityOperator', replacement: 'a <= b', location: at(2, 7, 2, 12), status: 'Survived' },
            { id: '0', mutatorName: 'BlockStatement', replacement: '{}', location: at(2, 14, 4, 4), status: 'Killed' },
          ],
        },
      },
    };
    expect(readStrykerReport(report).map((m) => [m.id, m.line, m.column, m.mutator, m.original, m.replacement, m.status])).toEqual([
      ['1', 2, 7, 'EqualityOperator', 'a < b', 'a <= b', 'Survived'],
      ['0', 2, 14, 'BlockStatement', '{ return a; }', '{}', 'Killed'],
    ]);
    expect(() => readStrykerReport({ files: {} })).toThrow(/not a Stryker JSON report: schemaVersion/);
  });
});
