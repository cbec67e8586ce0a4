/**
 * Fitting how an operation's cost grows: log2(ns per op) against log2(n), Theil–Sen slope with a
 * bootstrap interval, then a class. Wall-clock timing cannot tell O(1) from O(log n), nor O(n)
 * from O(n log n), so those pairs share a class.
 */
import { compareClasses, type ComplexityClass } from '@assay/contracts';
import { mulberry32 } from '@assay/sdk';

type Measured = Exclude<ComplexityClass, 'inconclusive'>;

/** Upper exponent bound of each class (per-operation cost ~ n^exponent). */
const UPPER: readonly [Measured, number][] = [
  ['sublinear', 0.5],
  ['linear', 1.5],
  ['quadratic', 2.5],
  ['cubic_or_worse', Infinity],
];

export function classOfExponent(exponent: number): Measured {
  return UPPER.find(([, upper]) => exponent < upper)![0];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of the slopes between every pair of points with distinct x. */
export function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) if (xs[j] !== xs[i]) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  return slopes.length ? median(slopes) : NaN;
}

export interface Fit {
  exponent: number;
  /** Bootstrap interval of the exponent (both ends equal the exponent when it cannot be computed). */
  interval: [number, number];
  /** The exponent's class; `inconclusive` when there are too few sizes to fit. */
  class: ComplexityClass;
  /** The whole interval lies inside the class: only then may a hint fire. */
  confident: boolean;
}

/** Fits sizes against ns/op. `level` is the two-sided coverage of the bootstrap interval. */
export function fitGrowth(sizes: readonly number[], nsPerOp: readonly number[], level = 0.9, resamples = 500): Fit {
  const xs = sizes.map(Math.log2);
  const ys = nsPerOp.map((t) => Math.log2(Math.max(t, 1e-3)));
  const exponent = theilSenSlope(xs, ys);
  if (xs.length < 4 || !Number.isFinite(exponent)) {
    const e = Number.isFinite(exponent) ? exponent : 0;
    return { exponent: e, interval: [e, e], class: 'inconclusive', confident: false };
  }
  const rand = mulberry32(xs.length * 7919 + Math.round(exponent * 1e6));
  const boot: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const bx: number[] = [];
    const by: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      const k = Math.floor(rand() * xs.length);
      bx.push(xs[k]!);
      by.push(ys[k]!);
    }
    const s = theilSenSlope(bx, by);
    if (Number.isFinite(s)) boot.push(s);
  }
  boot.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const lo = boot[Math.floor(tail * (boot.length - 1))]!;
  const hi = boot[Math.ceil((1 - tail) * (boot.length - 1))]!;
  const cls = classOfExponent(exponent);
  return { exponent, interval: [lo, hi], class: cls, confident: classOfExponent(lo) === cls && classOfExponent(hi) === cls };
}

const WORDS: Record<Measured, string> = {
  sublinear: 'sublinearly (O(1) or O(log n))',
  linear: 'linearly (O(n) or O(n log n))',
  quadratic: 'quadratically (O(n²))',
  cubic_or_worse: 'cubically or worse',
};

/** How a class grows, in words: "sublinearly (O(1) or O(log n))". */
export function describeGrowth(c: ComplexityClass): string {
  return c === 'inconclusive' ? 'in a way that could not be measured' : WORDS[c];
}

/** A hint when the measured class is confidently worse than expected; otherwise undefined. */
export function complexityHint(operation: string, fit: Fit, expected: ComplexityClass, advice?: string): string | undefined {
  if (!fit.confident || compareClasses(fit.class, expected) <= 0 || fit.class === 'inconclusive' || expected === 'inconclusive')
    return undefined;
  const [lo, hi] = fit.interval;
  return (
    `\`${operation}\` grows ${WORDS[fit.class]} with the input size (exponent ${fit.exponent.toFixed(2)}, ` +
    `90% interval ${lo.toFixed(2)}–${hi.toFixed(2)}); expected ${WORDS[expected]}.` +
    (advice ? ` ${advice}` : '')
  );
}
