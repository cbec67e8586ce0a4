import { describe, expect, it } from 'vitest';
import type { ComplexityResult } from '@assay/contracts';
import { findStaticHints } from './staticHints';

const lru = `export class LRUCache {
  constructor(capacity) { this.keys = []; this.map = new Map(); this.keys.indexOf(0); }
  get(key) {
    const i = this.keys.indexOf(key);
    if (i >= 0) { this.keys.splice(i, 1); this.keys.push(key); }
    return this.map.get(key)?.toString().constructor(key);
  }
  put(key, value) {
    for (const a of this.keys) for (const b of this.keys) if (a === b) break;
    this.map.set(key, value);
  }
}`;

const linearGet: ComplexityResult = {
  operation: 'get',
  sizes: [],
  nsPerOp: [],
  exponent: 1,
  interval: [0.9, 1.1],
  class: 'linear',
  confident: true,
  expected: 'sublinear',
};

describe('findStaticHints', () => {
  it('flags scans inside per-operation methods and nested loops, not the constructor', () => {
    const hints = findStaticHints([{ path: 'solution.js', content: lru }], []);
    expect(hints.map((h) => [h.line, h.pattern])).toEqual([
      [4, 'indexOf()'],
      [5, 'splice()'],
      [9, 'nested loop'],
    ]);
    expect(hints.every((h) => h.status === 'potential' && typeof h.message === 'string')).toBe(true);
  });

  it('confirms a hint when the probe of its method measured worse than expected', () => {
    const hints = findStaticHints([{ path: 'solution.js', content: lru }], [linearGet]);
    expect(hints.filter((h) => h.status === 'confirmed').map((h) => h.line)).toEqual([4, 5]);
  });

  it('ignores method names that exist on Object.prototype', () => {
    const code = 'export function f(x) { return [x.toString(), x.constructor(), x.hasOwnProperty("a"), x.valueOf()]; }';
    expect(findStaticHints([{ path: 'solution.ts', content: code }], [])).toEqual([]);
  });
});
