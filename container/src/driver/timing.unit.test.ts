/**
 * The pieces of the timing suites that need no subject process: checking timed batches against
 * the reference's, checking HTTP responses against the reference server's, planning probe sizes.
 */
import { describe, expect, it } from 'vitest';
import type { HttpLatencyDef, HttpResponse, Workload } from '@assay/sdk';
import { addToDigest, DIGEST_START, hashResult, isPlainData } from '../wire/resultDigest';
import { PROBE_BUDGET_MS, predictCost, roundsFor } from './ComplexityProbes';
import { compareResponses } from './LatencyBench';
import { compareSchedules, digestOf } from './ResultCheck';

const workload = (entries: number, extra: Partial<Workload['measure']> = {}, verify = 0): Workload => ({
  construct: null,
  setup: [],
  measure: { method: 'f', argsList: Array.from({ length: entries }, (_, i) => [i]), ...extra },
  verify: Array.from({ length: verify }, () => ({ method: 'g', argsList: [[0]] })),
});
const batch = (count: number, ...digests: number[]) => ({ count, ns: 1, digests });

describe('compareSchedules', () => {
  it('accepts the same digests for the same counts', () => {
    const record = { workload: workload(10), schedule: [batch(3, 7), batch(8, 9)], what: '`f`' };
    expect(compareSchedules(record, [batch(3, 7), batch(8, 9)])).toEqual({ ok: true });
  });

  it('fails on a read-back that differs, naming the batch', () => {
    const record = { workload: workload(10, {}, 1), schedule: [batch(3, 7, 1), batch(8, 9, 2)], what: '`f` at n = 4' };
    const outcome = compareSchedules(record, [batch(3, 7, 1), batch(8, 9, 3)]);
    expect(outcome.ok).toBe(false);
    expect((outcome as { message: string }).message).toMatch(/read-back after timed batches differs.*`g` after batch 2 of `f` at n = 4/);
  });

  it('fails results the statement fixes when they differ, without asking again', () => {
    const record = { workload: workload(10), schedule: [batch(3, 7), batch(8, 1)], what: '`f`' };
    const outcome = compareSchedules(record, [batch(3, 7), batch(8, 9)]);
    expect(outcome.ok).toBe(false);
    expect((outcome as { message: string }).message).toMatch(/results inside timed batches differ from the reference's: batch 2/);
  });

  it('asks the candidate again when only results left to the implementation differ, with where each differing batch started', () => {
    const record = { workload: workload(10, { results: 'consistent' }), schedule: [batch(3, 7), batch(8, 1), batch(4, 2)], what: '`f`' };
    const outcome = compareSchedules(record, [batch(3, 7), batch(8, 9), batch(4, 5)]);
    expect(outcome).toMatchObject({
      ok: 'ask',
      mismatches: [
        { batch: 1, start: 3, count: 8 },
        { batch: 2, start: 1, count: 4 },
      ],
    });
    expect((outcome as { message: string }).message).toMatch(
      /results inside timed batches differ from the reference's: batch 2 of `f` \(8 calls\)/,
    );
  });

  it('does not ask when the arguments advance (entries answer differently in every pass)', () => {
    const record = {
      workload: workload(10, { results: 'consistent', advance: { args: [0], by: 10 } }),
      schedule: [batch(3, 1)],
      what: '`f`',
    };
    expect(compareSchedules(record, [batch(3, 2)]).ok).toBe(false);
  });

  it('does not ask when calls are chained on the previous result', () => {
    const chain = { every: 2, arg: 0, key: 'cursor', from: 'next' };
    const record = { workload: workload(10, { results: 'consistent', chain }), schedule: [batch(3, 1)], what: '`f`' };
    expect(compareSchedules(record, [batch(3, 2)]).ok).toBe(false);
  });

  it('refuses schedules that are not the same counts (a bug of ours, not a mismatch)', () => {
    const record = { workload: workload(10), schedule: [batch(3, 1)], what: '`f`' };
    expect(() => compareSchedules(record, [batch(4, 1)])).toThrow(/schedules/);
  });
});

describe('digestOf', () => {
  it('is the digest the subject computes, cycling through the entries', () => {
    const answers = ['a', 'b', 'c'].map((x) => hashResult(x, isPlainData));
    let d = DIGEST_START;
    for (const x of ['c', 'a', 'b', 'c', 'a']) d = addToDigest(d, hashResult(x, isPlainData));
    expect(digestOf(answers, 2, 5)).toBe(d);
  });
});

describe('compareResponses', () => {
  const res = (status: number, headers: Record<string, string> = {}, body: unknown = ''): HttpResponse => ({
    status,
    headers,
    body,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = { 'content-type': 'application/json' };
  const def = { operation: 'GET /x', setup: async () => null, request: () => ({ method: 'GET', path: '/x' }) } as HttpLatencyDef;
  const exchanges = (pairs: [HttpResponse | undefined, HttpResponse][]) => [
    pairs.map(([c]) => ({ req: { method: 'GET' as const, path: '/x' }, res: c })),
    pairs.map(([, r]) => ({ req: { method: 'GET' as const, path: '/x' }, res: r })),
  ];

  it('accepts the same statuses, Location and JSON bodies; text bodies may differ', () => {
    const pairs: [HttpResponse, HttpResponse][] = [
      [res(302, { location: '/a' }, 'Found. Redirecting to /a'), res(302, { location: '/a' })],
      [res(200, json, { a: 1, b: 2 }), res(200, json, { b: 2, a: 1 })],
    ];
    expect(compareResponses(def, exchanges(pairs), [null, null])).toBeUndefined();
  });

  it.each<[string, HttpResponse | undefined, HttpResponse, RegExp]>([
    ['a bare 302', res(302), res(200, json, { id: 1 }), /status 302 where the reference answered 200/],
    ['no Location', res(302), res(302, { location: '/a' }), /Location header differs/],
    ['an empty 200', res(200), res(200, json, { data: [] }), /JSON body differs/],
    ['another JSON body', res(200, json, { data: [1] }), res(200, json, { data: [2] }), /JSON body differs/],
    ['no response', undefined, res(200), /no response/],
  ])('fails %s', (_, mine, theirs, why) => {
    const differ = compareResponses(
      def,
      exchanges([
        [res(200), res(200)],
        [mine, theirs],
      ]),
      [null, null],
    );
    expect(differ).toMatch(/^1 of 2 responses differ from the reference server's/);
    expect(differ).toMatch(/first: request 2 \(GET\)/);
    expect(differ).toMatch(why);
  });

  it("uses the def's projection, with each server's own state", () => {
    const withCompare = {
      ...def,
      compare: (r: HttpResponse, state: unknown) => ({ id: (state as Record<string, string>)[(r.body as { id: string }).id] }),
    };
    const states = [{ c1: 'task 0' }, { r1: 'task 0' }];
    expect(
      compareResponses(withCompare, exchanges([[res(200, json, { id: 'c1' }), res(200, json, { id: 'r1' })]]), states),
    ).toBeUndefined();
    expect(compareResponses(withCompare, exchanges([[res(200, json, { id: 'zz' }), res(200, json, { id: 'r1' })]]), states)).toMatch(
      /differs/,
    );
  });
});

describe('probe planning', () => {
  const size = (n: number, nsPerOp: number, setupMs: number) => ({ n, nsPerOp, count: 1, setupMs, costMs: 0, wallMs: 0 });

  it('always tries the first size', () => {
    expect(predictCost([], 256)).toBeUndefined();
  });

  it('extrapolates a quadratic setup and a linear call', () => {
    const p = predictCost([size(1024, 1000, 10), size(2048, 2000, 40)], 4096)!;
    expect(p.setupMs).toBeCloseTo(160);
    expect(p.callNs).toBeCloseTo(4000);
    // A probe that has spent little would measure this size; one near its budget would not.
    expect(2 * p.costMs).toBeLessThan(PROBE_BUDGET_MS);
  });

  it('assumes setups grow at least linearly and calls never get cheaper', () => {
    const p = predictCost([size(1024, 1000, 10), size(2048, 500, 5)], 4096)!;
    expect(p.setupMs).toBeCloseTo(10);
    expect(p.callNs).toBeCloseTo(500);
  });

  it('gives slow sizes fewer rounds, never fewer than three', () => {
    expect(roundsFor(100)).toBe(9);
    expect(roundsFor(100e6)).toBe(6);
    expect(roundsFor(1e9)).toBe(3);
  });
});
