import { defineSuites, expect, fail, sample, show, test, type Rng, type TestContext } from '@assay/sdk';

/** The rule, driver side: the first index whose character occurs exactly once, else -1. */
function firstUnique(s: string): number {
  const counts = new Map<string, number>();
  for (let i = 0; i < s.length; i++) counts.set(s[i]!, (counts.get(s[i]!) ?? 0) + 1);
  for (let i = 0; i < s.length; i++) if (counts.get(s[i]!) === 1) return i;
  return -1;
}

/** Answers by string; a list where strings repeat or look like integers (an object would list those first). */
type Answers = Record<string, number> | Array<[string, number]>;

/** firstUniqueChar must give each string its answer, in order; each answer is checked against the rule first (a suite bug otherwise). */
async function expectAnswers(ctx: TestContext, ...tables: Answers[]): Promise<void> {
  const firstUniqueChar = ctx.fn<(s: string) => number>('firstUniqueChar');
  for (const [s, want] of tables.flatMap((t) => (Array.isArray(t) ? t : Object.entries(t)))) {
    if (firstUnique(s) !== want) throw new Error(`suite bug: ${show(s, 60)} should give ${firstUnique(s)}`);
    expect(await firstUniqueChar(s), `firstUniqueChar(${show(s, 60)})`).toBe(want);
  }
}
const answers =
  (...tables: Answers[]) =>
  (ctx: TestContext) =>
    expectAnswers(ctx, ...tables);
/** Strings whose answers the rule gives. */
const ruled = (strings: string[]): Array<[string, number]> => strings.map((s) => [s, firstUnique(s)]);

const randomString = (rng: Rng, length: number, alphabet: string) =>
  Array.from({ length }, () => alphabet[rng.int(0, alphabet.length - 1)]).join('');

/**
 * `k` distinct characters twice over (two different shuffles), then one more distinct character:
 * the answer is the last index, and every earlier character's twin is far away.
 */
function pairsThenUnique(rng: Rng, length: number, base = 0x4e00): string {
  const k = Math.floor((length - 1) / 2);
  const chars = Array.from({ length: k }, (_, i) => String.fromCharCode(base + i));
  return rng.shuffle(chars).join('') + rng.shuffle(chars).join('') + String.fromCharCode(base + k);
}

const correctness = [
  sample('first unique character', answers({ swiss: 1, level: 2, x: 0, abcabd: 2 })),
  sample('no unique character', answers({ aabb: -1, '': -1, abab: -1 })),
  sample('case matters', answers({ aAa: 1, Aa: 0 })),

  test('every character repeats', answers({ zz: -1, abcabc: -1, abccba: -1, aaaaaaa: -1, xyzzyx: -1 })),
  test('the unique character comes last', answers({ aabbc: 4, abcabcd: 6, zyxzyxw: 6, aaab: 3 })),
  test('a character repeated before and after', answers({ abaca: 1, cbacb: 2, aba: 1, bab: 1 })),
  test(
    'digits, spaces and punctuation are characters too',
    answers({ ba0b: 1, z9z8: 1 }, [['1121', 2]], { 'a a': 1, '!?!': 1, '..,': 2, '10 01': 2 }),
  ),
  test('upper case and lower case differ', answers({ Hello: 0, HHeelLo: 4, AbBa: 0, ZZz: 2 })),
  test('characters outside ASCII', answers({ ééa: 2, 日本日: 1, çaç: 1, ωΩω: 1, ßss: 0 })),
  test(
    'a character seen 257 or 513 times is not unique',
    answers({
      [`${'a'.repeat(257)}b`]: 257,
      [`${'ab'.repeat(257)}c`]: 514,
      [`${'x'.repeat(256)}y${'x'}`]: 256,
      [`q${'w'.repeat(257)}q`]: -1,
      [`${'é'.repeat(513)}z`]: 513,
      [`${'一'.repeat(769)}!${'一'}`]: 769,
    }),
  ),
  test('long strings over a small alphabet', async (ctx) => {
    const strings = Array.from({ length: 5 }, () => {
      const s = randomString(ctx.rng, 10_000, 'abcdefghij');
      const at = ctx.rng.int(0, s.length);
      return [s, s.slice(0, at) + 'Q' + s.slice(at)];
    });
    await expectAnswers(ctx, ruled(strings.flat()));
  }),
  test('long strings where every character is different', async (ctx) => {
    await expectAnswers(ctx, { [pairsThenUnique(ctx.rng, 4001)]: 4000, [pairsThenUnique(ctx.rng, 4001, 0x100)]: 4000 });
    await expectAnswers(ctx, { [pairsThenUnique(ctx.rng, 4001).slice(0, -1)]: -1 }); // the unique one cut off: all twins
  }),
  test('300 generated strings', async (ctx) => {
    const alphabets = ['ab', 'abc', 'aAbB', 'xyz012', 'a b.', 'αβγ', 'abcdefghijklmnopqrstuvwxyz'];
    const cases = ruled(Array.from({ length: 300 }, (_, i) => randomString(ctx.rng, ctx.rng.int(0, 25), alphabets[i % alphabets.length]!)));
    if (!cases.some(([, r]) => r === -1) || !cases.some(([, r]) => r > 0)) fail('suite bug: generated cases are one-sided');
    await expectAnswers(ctx, cases);
  }),
];

/**
 * The probe's input: four long runs of different characters, then one more character that
 * occurs once (the answer is the last index). Quadratic approaches scan Θ(n) per position on it:
 * indexOf/lastIndexOf walk past whole runs, a nested loop walks back to the start of the run's
 * character, split/filter always walk everything. One-byte characters keep per-position overhead
 * small next to the scans, so the growth shows from the smallest size.
 */
function runsThenUnique(rng: Rng, length: number): string {
  const letters = rng.shuffle([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ']);
  const run = Math.floor((length - 1) / 4);
  return letters.slice(0, 4).reduce((s, c) => s + c.repeat(run), '') + letters[4]!;
}

export default defineSuites({
  correctness,
  complexity: [
    {
      operation: 'firstUniqueChar',
      // Half-octave steps over four octaves (one stray point cannot swing the fit); a quadratic
      // solution needs 10-30 ms per call at 8192 already.
      sizes: [512, 724, 1024, 1448, 2048, 2896, 4096, 5792, 8192],
      workload: (n, rng) => ({
        construct: null,
        setup: [],
        measure: { method: 'firstUniqueChar', argsList: [[runsThenUnique(rng, n)], [runsThenUnique(rng, n)], [runsThenUnique(rng, n)]] },
      }),
    },
  ],
});
