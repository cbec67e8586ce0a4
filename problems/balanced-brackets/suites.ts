import { defineSuites, expect, fail, outcome, sample, show, test, type Rng, type TestContext } from '@assay/sdk';

/** The rules, driver side: every closer closes the latest open bracket, of its kind; nothing is left open. */
function balanced(s: string): boolean {
  const want: string[] = [];
  for (const c of s) {
    if (c === '(') want.push(')');
    else if (c === '[') want.push(']');
    else if (c === '{') want.push('}');
    else if ((c === ')' || c === ']' || c === '}') && want.pop() !== c) return false;
  }
  return want.length === 0;
}

type Answers = Record<string, boolean> | Array<[string, boolean]>;

/** isBalanced must give each string its answer, in order; each answer is checked against the rules first (a suite bug otherwise). */
async function expectAnswers(ctx: TestContext, ...tables: Answers[]): Promise<void> {
  const isBalanced = ctx.fn<(s: string) => boolean>('isBalanced');
  for (const [s, want] of tables.flatMap((t) => (Array.isArray(t) ? t : Object.entries(t)))) {
    if (balanced(s) !== want) throw new Error(`suite bug: ${show(s, 60)} should be ${balanced(s)}`);
    expect(await isBalanced(s), `isBalanced(${show(s, 60)})`).toBe(want);
  }
}
const answers = (table: Answers) => (ctx: TestContext) => expectAnswers(ctx, table);

const OPEN = '([{';
const CLOSE = ')]}';

/** A balanced string with `pairs` pairs, random shape (nesting and sequence mixed). */
function randomBalanced(rng: Rng, pairs: number, filler = ''): string {
  let out = '';
  const stack: number[] = [];
  let left = pairs;
  while (left > 0 || stack.length > 0) {
    if (filler && rng.next() < 0.2) out += rng.pick([...filler]);
    if (left > 0 && (stack.length === 0 || rng.next() < 0.5)) {
      const k = rng.int(0, 2);
      stack.push(k);
      out += OPEN[k];
      left--;
    } else out += CLOSE[stack.pop()!];
  }
  return out;
}

/** One small edit that usually unbalances a string. */
function mutate(rng: Rng, s: string): string {
  const i = rng.int(0, s.length - 1);
  const bracket = () => rng.pick([...OPEN, ...CLOSE]);
  const swap = (j: number) => {
    const a = [...s];
    [a[i], a[j]] = [a[j]!, a[i]!];
    return a.join('');
  };
  const edits = [
    () => s.slice(0, i) + s.slice(i + 1), // drop a character
    () => s.slice(0, i) + bracket() + s.slice(i), // insert a bracket
    () => s.slice(0, i) + bracket() + s.slice(i + 1), // replace one
    () => swap(rng.int(0, s.length - 1)), // swap two
  ];
  return edits[rng.int(0, 3)]!();
}

/** Fully nested: n/2 random openers, then their closers in reverse. */
function nested(rng: Rng, n: number): string {
  const kinds = Array.from({ length: Math.floor(n / 2) }, () => rng.int(0, 2));
  return kinds.map((k) => OPEN[k]).join('') + kinds.reduceRight((s, k) => s + CLOSE[k], '');
}

const correctness = [
  sample('balanced strings', answers({ '()': true, '()[]{}': true, '{[()]}': true, '([]{()})[]': true, '': true })),
  sample('wrong order or wrong pair', answers({ '(]': false, '([)]': false, '((': false, '())': false, ')(': false })),
  sample('other characters are ignored', answers({ 'fn(a[i]) { return x; }': true, 'hello world': true, 'if (a[0] > b) {': false })),

  test('closing before opening', answers({ ']': false, '}{': false, ')()(': false, '[]][': false })),
  test('interleaved bracket types', answers({ '{(})': false, '[{]}': false, '(([]){)}': false, '{[(])}': false })),
  test('something left open', answers({ '(((': false, '{[()]}(': false, '()((': false, '[': false, 'a{b': false })),
  test('one closer too many', answers({ '{}}': false, '(()))(': false, '[[]]]': false })),
  test('look-alikes are not brackets', answers({ '<(>)': true, 'a < b && (c > d)': true, '（[）]': true, '«(»': false, '/* ) */': false })),
  test(
    'letters, digits and spaces between brackets',
    answers({ 'const x = { a: [1, 2, (3)] };': true, 'map[key](arg) + {}': true, 'x = (y + z];': false, '  ( \n [ \t ] ) ': true }),
  ),
  test('deep nesting: 4000 levels', async (ctx) => {
    const s = nested(ctx.rng, 8000);
    const broken = s.slice(0, 3999) + (s[3999] === '(' ? '[' : '(') + s.slice(4000); // the innermost opener changes kind
    await expectAnswers(ctx, { [s]: true, [broken]: false, [s + '(']: false, [s.slice(1)]: false });
  }),
  test(
    'the longest inputs: 200000 characters, brackets nested 20000 levels deep',
    async (ctx) => {
      // A thrown error (a recursive solution's stack overflow) is a wrong answer on a valid input.
      const isBalanced = ctx.fn<(s: string) => boolean>('isBalanced');
      const deep = nested(ctx.rng, 40_000);
      const broken = deep.slice(0, 19_999) + (deep[19_999] === '(' ? '[' : '(') + deep.slice(20_000); // the innermost opener changes kind
      // Four other characters after each bracket: 200,000 characters, as long as inputs get.
      const padded = (t: string) => [...t].map((c) => c + Array.from({ length: 4 }, () => ctx.rng.pick([...' ab1;\n'])).join('')).join('');
      const cases: Array<[string, string, boolean]> = [
        [padded(deep), '20000 openers, then their closers, other characters between', true],
        [padded(broken), 'the same with its innermost opener changed', false],
      ];
      for (const [s, what, want] of cases) {
        if (balanced(s) !== want) throw new Error(`suite bug: ${what} should be ${balanced(s)}`);
        expect(await outcome(isBalanced(s)), `isBalanced(${what}, ${s.length} characters)`).toEqual({ ok: want });
      }
    },
    { timeoutMs: 30_000 },
  ),
  test('long sequence: 5000 pairs side by side', async (ctx) => {
    const s = Array.from({ length: 5000 }, () => ctx.rng.pick(['()', '[]', '{}'])).join('');
    await expectAnswers(ctx, { [s]: true, [s.slice(0, -1)]: false, [')' + s + '(']: false });
  }),
  test('200 generated strings', async (ctx) => {
    const cases = Array.from({ length: 200 }, (_, i): [string, boolean] => {
      const s = randomBalanced(ctx.rng, ctx.rng.int(1, 30), i % 3 === 0 ? 'ab1 _;.' : '');
      const t = i % 2 === 0 ? s : mutate(ctx.rng, s);
      return [t, balanced(t)];
    });
    if (!cases.some(([, b]) => b) || !cases.some(([, b]) => !b)) fail('suite bug: generated cases are one-sided');
    await expectAnswers(ctx, cases);
  }),
];

export default defineSuites({
  correctness,
  complexity: [
    {
      operation: 'isBalanced',
      // Half-octave steps over four octaves (one stray point cannot swing the fit). Below 512 a
      // quadratic solution's fixed cost per pass hides its growth; at 8192 it needs 20-100 ms per call.
      sizes: [512, 724, 1024, 1448, 2048, 2896, 4096, 5792, 8192],
      workload: (n, rng) => ({
        construct: null,
        setup: [],
        measure: { method: 'isBalanced', argsList: [[nested(rng, n)], [nested(rng, n)], [nested(rng, n)]] },
      }),
    },
  ],
});
