/**
 * Complexity probes: for each probed operation, ns/op at sizes 2^8…2^16 (fresh structure per
 * size, calibrated ~2 ms batches, warm-up, GC before each sample, minimum of rounds), in two
 * trials (ascending, then descending sizes), fitted on a log-log scale. The class is confident
 * (and may fail the probe, with a hint) only when the interval sits inside it and both trials agree.
 */
import { DEFAULT_PROBE_SIZES, type ProbeDef } from '@assay/sdk';
import { type ComplexityResult, type Manifest, type TestResult, compareClasses } from '@assay/contracts';
import { classOfExponent, complexityHint, fitGrowth } from './growthFit';
import type { Session } from './Session';
import { SubjectGoneError } from './SubjectProcess';
import { seededRng } from './TestRunner';
import { WorkloadTimer } from './WorkloadTimer';

/** Timed batches per size and trial; noise only ever adds time, so the minimum of many is steady. */
const ROUNDS = 9;
/**
 * A probe stops growing once one size has cost this much of the candidate's time (quadratic
 * setups get expensive), counted without run-queue waits so machine load cannot cut it short;
 * the wall-clock cap only bounds a pathological case.
 */
const SIZE_BUDGET_MS = 1500;
const PROBE_WALL_CAP_MS = 30_000;

export interface ProbeOutcome {
  result: ComplexityResult;
  test: TestResult;
}

export async function runProbe(session: Session, probe: ProbeDef, manifest: Manifest, seed: number): Promise<ProbeOutcome> {
  const spec = manifest.complexity.find((c) => c.operation === probe.operation);
  if (!spec) throw new Error(`probe "${probe.operation}" has no expected class in the manifest`);
  const sizes = [...(probe.sizes ?? DEFAULT_PROBE_SIZES)].sort((a, b) => a - b);
  const started = performance.now();
  const base = { name: `complexity: ${probe.operation}`, sample: false };
  let trials: Map<number, number>[];
  try {
    const first = await measureTrial(session, probe, sizes, seed, started);
    const second = await measureTrial(session, probe, [...first.keys()].reverse(), seed, started);
    trials = [first, second];
  } catch (e) {
    // No candidate text here: by now the candidate has seen hidden data it could echo back.
    const message = e instanceof SubjectGoneError ? e.fault.message : `candidate code threw while \`${probe.operation}\` was measured`;
    const result: ComplexityResult = {
      operation: probe.operation,
      sizes: [],
      nsPerOp: [],
      exponent: 0,
      interval: [0, 0],
      class: 'inconclusive',
      confident: false,
      expected: spec.expected,
    };
    return { result, test: { ...base, status: 'error', durationMs: elapsed(started), message } };
  }
  const measured = [...trials[0]!.keys()].filter((n) => trials.every((t) => t.has(n))).sort((a, b) => a - b);
  const nsPerOp = measured.map((n) => Math.min(...trials.map((t) => t.get(n)!)));
  const fit = fitGrowth(measured, nsPerOp);
  // The class comes from both trials' minima together; a hint (and a failed probe) also needs each
  // trial on its own, noisier, to land in that class.
  const trialsAgree = trials.every(
    (t) =>
      classOfExponent(
        fitGrowth(
          measured,
          measured.map((n) => t.get(n)!),
        ).exponent,
      ) === fit.class,
  );
  const confident = fit.confident && trialsAgree;
  const hint = complexityHint(probe.operation, { ...fit, confident }, spec.expected, spec.advice);
  const result: ComplexityResult = {
    operation: probe.operation,
    sizes: measured,
    nsPerOp: nsPerOp.map((v) => Math.round(v * 10) / 10),
    exponent: round(fit.exponent),
    interval: [round(fit.interval[0]), round(fit.interval[1])],
    class: fit.class,
    confident,
    expected: spec.expected,
    ...(hint ? { hint } : {}),
  };
  // Only a confident measurement may fail a candidate; an unsure one gets the benefit of the doubt.
  const worse = confident && compareClasses(fit.class, spec.expected) > 0;
  const test: TestResult = {
    ...base,
    status: worse ? 'failed' : 'passed',
    durationMs: elapsed(started),
    message: hint ?? `measured ${fit.class}${confident ? '' : ' (not confident)'} (exponent ${result.exponent}), expected ${spec.expected}`,
  };
  return { result, test };
}

async function measureTrial(
  session: Session,
  probe: ProbeDef,
  sizes: number[],
  seed: number,
  started: number,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const timer = new WorkloadTimer(await session.subject());
  let rttKnown = false;
  for (const n of sizes) {
    const built = await timer.build(probe.workload(n, seededRng(seed, 'complexity', probe.operation, String(n))));
    if (!rttKnown) {
      await timer.measureRoundTrip(built);
      rttKnown = true;
    }
    const count = await timer.calibrate(built);
    await timer.timeBatch(built, count); // warm-up at this size
    const nsPerOp = await timer.minOfRounds(built, count, ROUNDS);
    out.set(n, nsPerOp);
    await timer.release(built);
    const sizeCostMs = built.setupMs + (nsPerOp * count * (ROUNDS + 2)) / 1e6;
    if (sizeCostMs > SIZE_BUDGET_MS || performance.now() - started > PROBE_WALL_CAP_MS) break;
  }
  return out;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
const elapsed = (since: number) => Math.round(performance.now() - since);
