import { defineSuites, expect, fail, sample, test, type Rng, type TestContext } from '@assay/sdk';

/** The driver's own answer, for generated cases. */
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

function show(s: string): string {
  return s.length > 60 ? `${JSON.stringify(s.slice(0, 40))}… (${s.length} chars)` : JSON.stringify(s);
}

async function check(ctx: TestContext, cases: Array<[string, boolean]>): Promise<void> {
  for (const [s, want] of cases) {
    if (balanced(s) !== want) throw new Error(`suite bug: ${show(s)} should be ${balanced(s)}`);
    expect(await ctx.subject.call('isBalanced', s), `isBalanced(${show(s)})`).toBe(want);
  }
}

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
    } else {
      out += CLOSE[stack.pop()!];
    }
  }
  return out;
}

/** One small edit that usually unbalances a string. */
function mutate(rng: Rng, s: string): string {
  const i = rng.int(0, s.length - 1);
  switch (rng.int(0, 3)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1); // drop a character
    case 1:
      return s.slice(0, i) + rng.pick([...OPEN, ...CLOSE]) + s.slice(i); // insert a bracket
    case 2:
      return s.slice(0, i) + rng.pick([...OPEN, ...CLOSE]) + s.slice(i + 1); // replace one
    default: {
      const j = rng.int(0, s.length - 1); // swap two
      const a = [...s];
      [a[i], a[j]] = [a[j]!, a[i]!];
      return a.join('');
    }
  }
}

/** Fully nested: n/2 random openers, then their closers in reverse. */
function nested(rng: Rng, n: number): string {
  const ks = Array.from({ length: Math.floor(n / 2) }, () => rng.int(0, 2));
  return (
    ks.map((k) => OPEN[k]).join('') +
    ks
      .reverse()
      .map((k) => CLOSE[k])
      .join('')
  );
}

const correctness = [
  sample('balanced strings', async (ctx) => {
    await check(ctx, [
      ['()', true],
      ['()[]{}', true],
      ['{[()]}', true],
      ['([]{()})[]', true],
      ['', true],
    ]);
  }),
  sample('wrong order or wrong pair', async (ctx) => {
    await check(ctx, [
      ['(]', false],
      ['([)]', false],
      ['((', false],
      ['())', false],
      [')(', false],
    ]);
  }),
  sample('other characters are ignored', async (ctx) => {
    await check(ctx, [
      ['fn(a[i]) { return x; }', true],
      ['hello world', true],
      ['if (a[0] > b) {', false],
    ]);
  }),

  test('closing before opening', async (ctx) => {
    await check(ctx, [
      [']', false],
      ['}{', false],
      [')()(', false],
      ['[]][', false],
    ]);
  }),
  test('interleaved bracket types', async (ctx) => {
    await check(ctx, [
      ['{(})', false],
      ['[{]}', false],
      ['(([]){)}', false],
      ['{[(])}', false],
    ]);
  }),
  test('something left open', async (ctx) => {
    await check(ctx, [
      ['(((', false],
      ['{[()]}(', false],
      ['()((', false],
      ['[', false],
      ['a{b', false],
    ]);
  }),
  test('one closer too many', async (ctx) => {
    await check(ctx, [
      ['{}}', false],
      ['(()))(', false],
      ['[[]]]', false],
    ]);
  }),
  test('look-alikes are not brackets', async (ctx) => {
    await check(ctx, [
      ['<(>)', true],
      ['a < b && (c > d)', true],
      ['（[）]', true],
      ['«(»', false],
      ['/* ) */', false],
    ]);
  }),
  test('letters, digits and spaces between brackets', async (ctx) => {
    await check(ctx, [
      ['const x = { a: [1, 2, (3)] };', true],
      ['map[key](arg) + {}', true],
      ['x = (y + z];', false],
      ['  ( \n [ \t ] ) ', true],
    ]);
  }),
  test('deep nesting: 4000 levels', async (ctx) => {
    const s = nested(ctx.rng, 8000);
    const mid = 4000;
    const broken = s.slice(0, mid - 1) + (s[mid - 1] === '(' ? '[' : '(') + s.slice(mid);
    await check(ctx, [
      [s, true],
      [broken, false],
      [s + '(', false],
      [s.slice(1), false],
    ]);
  }),
  test('long sequence: 5000 pairs side by side', async (ctx) => {
    const s = Array.from({ length: 5000 }, () => ctx.rng.pick(['()', '[]', '{}'])).join('');
    await check(ctx, [
      [s, true],
      [s.slice(0, -1), false],
      [')' + s + '(', false],
    ]);
  }),
  test('200 generated strings', async (ctx) => {
    const cases: Array<[string, boolean]> = [];
    for (let i = 0; i < 200; i++) {
      const s = randomBalanced(ctx.rng, ctx.rng.int(1, 30), i % 3 === 0 ? 'ab1 _;.' : '');
      const t = i % 2 === 0 ? s : mutate(ctx.rng, s);
      cases.push([t, balanced(t)]);
    }
    if (!cases.some(([, b]) => b) || !cases.some(([, b]) => !b)) fail('suite bug: generated cases are one-sided');
    await check(ctx, cases);
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
