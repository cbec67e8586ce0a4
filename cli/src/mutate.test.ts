/**
 * `assay problems mutate` as a user runs it: a real process, StrykerJS, real Docker. A package made by
 * `problems new`, with a suite weak on purpose (it never reads `size`, never passes a non-string),
 * must leave exactly those mutants alive, list them, honour its equivalence file and fail the threshold.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assay } from './testing';

const WEAK_SUITES = `import { defineSuites, expect, sample, test, type TestContext } from '@assay/sdk';

interface Counter {
  add(key: string): number;
  count(key: string): number;
  readonly size: number;
}
const counter = (ctx: TestContext) => ctx.construct<Counter>('Counter');

// Weak on purpose: nothing reads size, counts a key never added, or passes a key that is not a string.
export default defineSuites({
  correctness: [
    sample('counts each key', async (ctx) => {
      const c = await counter(ctx);
      expect(await c.add('a'), 'add("a")').toBe(1);
      expect(await c.add('a'), 'add("a")').toBe(2);
    }),
    test('count of an added key', async (ctx) => {
      const c = await counter(ctx);
      await c.add('x');
      expect(await c.count('x'), 'count("x")').toBe(1);
    }),
  ],
});
`;

/** Where `text` starts in `source`, 1-based, as Stryker reports positions. */
function positionOf(source: string, text: string): { line: number; column: number } {
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${text} is not in the reference`);
  return { line: line + 1, column: lines[line]!.indexOf(text) + 1 };
}

interface JudgedMutant {
  mutator: string;
  replacement: string;
  line: number;
  column: number;
  outcome: string;
  verdict?: string;
}

let root: string;
let reference: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'assay-mutate-test-'));
  const made = await assay(['problems', 'new', 'weak-counter', '--dir', root]);
  expect(made.code, made.stderr).toBe(0);
  await writeFile(path.join(root, 'weak-counter', 'suites.ts'), WEAK_SUITES);
  reference = await readFile(path.join(root, 'weak-counter', 'reference', 'solution.ts'), 'utf8');
  const message = positionOf(reference, "'keys must be strings'");
  const messageEnd = message.column + "'keys must be strings'".length;
  await writeFile(
    path.join(root, 'weak-counter', 'mutation.json'),
    JSON.stringify({
      equivalent: {
        [`StringLiteral@${message.line}:${message.column}-${message.line}:${messageEnd} ""`]:
          'the statement does not fix the TypeError message',
        'BlockStatement@99:1-99:3 {}': 'a mutant that no longer exists',
      },
    }),
  );
});

describe('assay problems mutate', () => {
  it('grades every mutant, lists the survivors, honours the equivalence file and fails the threshold', async () => {
    const report = path.join(root, 'mutation-report.json');
    const run = await assay(['problems', 'mutate', 'weak-counter', '--dir', root, '--json', report]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/weak-counter: initial run \(no mutant active\): accepted/);
    expect(run.stderr).toMatch(/weak-counter \[\s*\d+\/\d+\] mutant \d+: (SURVIVED|wrong_answer|runtime_error)/);

    const json = JSON.parse(await readFile(report, 'utf8')) as { graderVersion: string; packages: any[] };
    const summary = json.packages[0].summary as { counts: Record<string, number>; score: number; mutants: JudgedMutant[] };
    const find = (mutator: string, replacement: string, at: { line: number; column?: number }) =>
      summary.mutants.find(
        (m) => m.mutator === mutator && m.replacement === replacement && m.line === at.line && (at.column ?? m.column) === m.column,
      );
    const typeCheck = positionOf(reference, "typeof key !== 'string'");
    const sizeBody = positionOf(reference, 'get size(): number {');

    // Mutant switching reached the sandbox: the same instrumented file gives different verdicts.
    expect(find('ConditionalExpression', 'true', typeCheck)).toMatchObject({ outcome: 'killed', verdict: 'runtime_error' });
    expect(find('ArithmeticOperator', '(this.counts.get(key) ?? 0) - 1', { line: typeCheck.line + 1 })).toMatchObject({
      outcome: 'killed',
    });
    expect(find('ConditionalExpression', 'false', typeCheck)).toMatchObject({ outcome: 'survived', verdict: 'accepted' });
    expect(find('BlockStatement', '{}', { line: sizeBody.line })).toMatchObject({ outcome: 'survived' });
    expect(find('StringLiteral', '""', positionOf(reference, "'keys must be strings'"))).toMatchObject({ outcome: 'equivalent' });
    expect(summary.counts).toMatchObject({ survived: 2, equivalent: 1, error: 0 });

    const { killed, timeout, equivalent } = summary.counts as Record<string, number>;
    const expectedScore = Math.floor(((killed! + timeout!) / (summary.mutants.length - equivalent!)) * 10000) / 100;
    expect(summary.score).toBe(expectedScore);
    expect(run.stdout).toContain(`mutation score ${expectedScore.toFixed(2)} % (threshold 90 %): BELOW THRESHOLD`);
    expect(run.stdout).toMatch(
      new RegExp(`${killed} killed, ${timeout} timeout, 2 survived, 1 equivalent, 0 errors of ${summary.mutants.length} mutants`),
    );
    expect(run.stdout).toContain(
      `reference/solution.ts:${typeCheck.line}:${typeCheck.column}  ConditionalExpression  typeof key !== 'string' → false`,
    );
    expect(run.stdout).toMatch(
      new RegExp(`reference/solution\\.ts:${sizeBody.line}:\\d+  BlockStatement  \\{ return this\\.counts\\.size; \\} → \\{\\}`),
    );
    expect(run.stdout).toContain('"BlockStatement@99:1-99:3 {}": matches no mutant');
    expect(run.stderr).toMatch(/did not reach a mutation score of 90 %: weak-counter/);
    expect(json.graderVersion).toMatch(/^\d+\.\d+\.\d+$/);
  }, 240_000);

  it('refuses an unknown package, a bad threshold and a broken equivalence file as usage errors', async () => {
    const unknown = await assay(['problems', 'mutate', 'no-such-problem', '--dir', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown problem "no-such-problem"; known problems: .*weak-counter/);

    const threshold = await assay(['problems', 'mutate', 'weak-counter', '--dir', root, '--threshold', '150']);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(/--threshold must be a number from 0 to 100, got "150"/);

    // A copy of the package under another id: no CLI start-up just to make one.
    await cp(path.join(root, 'weak-counter'), path.join(root, 'broken-equivalents'), { recursive: true });
    const manifest = path.join(root, 'broken-equivalents', 'problem.json');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('"weak-counter"', '"broken-equivalents"'));
    await writeFile(path.join(root, 'broken-equivalents', 'mutation.json'), '{"equivalent": {"not a signature": ""}}');
    const broken = await assay(['problems', 'mutate', 'broken-equivalents', '--dir', root]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/mutation\.json is invalid: .*equivalent\.not a signature: must be a mutant signature/);
  });

  it('says so when Docker is not reachable', async () => {
    const run = await assay(['problems', 'mutate', 'weak-counter', '--dir', root], { DOCKER_HOST: `unix://${root}/no-docker.sock` });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Docker is not reachable/);
  });
});
