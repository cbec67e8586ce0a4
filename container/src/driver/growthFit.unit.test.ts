import { describe, expect, it } from 'vitest';
import { compareClasses } from '@assay/contracts';
import { classOfExponent, complexityHint, fitGrowth, theilSenSlope } from './growthFit';

const sizes = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

describe('fitGrowth', () => {
  it('classifies constant, linear and quadratic growth with noise', () => {
    const noise = [1.05, 0.97, 1.02, 0.99, 1.04, 0.96, 1.01, 1.03, 0.98];
    expect(
      fitGrowth(
        sizes,
        sizes.map((_, i) => 40 * noise[i]!),
      ).class,
    ).toBe('sublinear');
    expect(
      fitGrowth(
        sizes,
        sizes.map((n, i) => 0.5 * n * noise[i]!),
      ).class,
    ).toBe('linear');
    expect(
      fitGrowth(
        sizes,
        sizes.map((n, i) => 1e-3 * n * n * noise[i]!),
      ).class,
    ).toBe('quadratic');
    expect(
      fitGrowth(
        sizes,
        sizes.map((n, i) => 1e-6 * n * n * n * noise[i]!),
      ).class,
    ).toBe('cubic_or_worse');
  });

  it('treats O(log n) as sublinear and O(n log n) as linear', () => {
    expect(
      fitGrowth(
        sizes,
        sizes.map((n) => 10 * Math.log2(n)),
      ).class,
    ).toBe('sublinear');
    expect(
      fitGrowth(
        sizes,
        sizes.map((n) => n * Math.log2(n)),
      ).class,
    ).toBe('linear');
  });

  it('resists one outlier (Theil–Sen)', () => {
    const flat = sizes.map(() => 50);
    flat[4] = 5000;
    const fit = fitGrowth(sizes, flat);
    expect(fit.exponent).toBeLessThan(0.2);
  });

  it('is not confident when the interval straddles a class boundary, and inconclusive with too few sizes', () => {
    // half flat, half linear: the slope sits near 0.5 with a wide interval
    const mixed = sizes.map((n, i) => (i % 2 ? 50 : n / 5));
    expect(fitGrowth(sizes, mixed).confident).toBe(false);
    const few = fitGrowth(sizes.slice(0, 3), [1, 2, 3]);
    expect(few).toMatchObject({ class: 'inconclusive', confident: false });
    expect(few.interval.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic', () => {
    const data = sizes.map((n, i) => n * (1 + (i % 3) * 0.1));
    expect(fitGrowth(sizes, data)).toEqual(fitGrowth(sizes, data));
  });
});

describe('hints', () => {
  it('fires only when the measured class is confidently worse', () => {
    const linear = fitGrowth(
      sizes,
      sizes.map((n) => n),
    );
    expect(complexityHint('get', linear, 'sublinear', 'Use a Map.')).toMatch(/`get` grows linearly .*expected sublinearly.*Use a Map\./);
    expect(complexityHint('get', linear, 'linear')).toBeUndefined();
    expect(complexityHint('get', { ...linear, class: 'inconclusive' }, 'sublinear')).toBeUndefined();
    expect(complexityHint('get', { ...linear, confident: false }, 'sublinear')).toBeUndefined();
  });

  it('orders classes', () => {
    expect(compareClasses('quadratic', 'linear')).toBeGreaterThan(0);
    expect(compareClasses('sublinear', 'linear')).toBeLessThan(0);
    expect(compareClasses('inconclusive', 'linear')).toBe(0);
    expect(classOfExponent(0.49)).toBe('sublinear');
    expect(theilSenSlope([1, 2, 3], [2, 4, 6])).toBe(2);
  });
});
