/**
 * Complexity probes: for each probed operation, ns/op at sizes 2^8…2^16 (fresh structure per
 * size, calibrated ~2 ms batches that continue where the previous one stopped, warm-up, GC before
 * each sample, minimum of rounds), in two trials (ascending sizes, then the same sizes descending
 * on a second seed), fitted on a log-log scale. Every timed batch's results are checked against
 * the reference solution's (`ResultCheck`).
 *
 * The sizes are planned to fit a budget of the candidate's time: before each size the cost of
 * measuring it (setup and batches, in both trials) is predicted from the sizes before it, a size
 * that would not fit is not started, and sizes whose calls are slow get fewer rounds.
 *
 * The class is confident (and may fail the probe, with a hint) only when the interval sits inside
 * it and both trials agree. Otherwise the probe is inconclusive, which never passes on its own:
 * the candidate's cost per call at the largest size both trials reached is compared with the
 * reference's, measured in the same run on the same workload at that size, and the probe fails
 * when it is more than REFERENCE_FACTOR times slower — or when no size could be measured at all.
 */
import { DEFAULT_PROBE_SIZES, type ProbeDef } from '@assay/sdk';
import { type ComplexityResult, type Manifest, type TestResult, compareClasses } from '@assay/contracts';
import { classOfExponent, complexityHint, describeGrowth, fitGrowth } from './growthFit';
import {
  AnswerTimeoutError,
  askCandidate,
  OWN_ANSWER_TIMEOUT_MS,
  onReference,
  ReferenceFailure,
  replayOnReference,
  type ReplayOutcome,
  type TimedRecord,
} from './ResultCheck';
import type { Session } from './Session';
import { BatchTimeoutError, RemoteCallError, SubjectGoneError } from './SubjectProcess';
import { seededRng } from './TestRunner';
import { Turns } from './Turns';
import { TARGET_BATCH_NS, WorkloadTimer } from './WorkloadTimer';

/** Timed batches per size and trial; noise only ever adds time, so the minimum of many is steady. */
const ROUNDS = 9;
/** Sizes whose calls are slow get fewer rounds, never fewer than this. */
const MIN_ROUNDS = 3;
/** ...so that their rounds take about this long. */
const SLOW_SIZE_ROUNDS_MS = 600;
/**
 * The candidate's time a probe may take, both trials together (its setups and timed batches,
 * without run-queue waits, so machine load does not cut a probe short). The wall-clock cap only
 * bounds a pathological case (it also counts the reference's replays).
 */
export const PROBE_BUDGET_MS = 12_000;
const PROBE_WALL_CAP_MS = 60_000;
/** Wall-clock time kept back at the end of a probe for its decision. */
const DECISION_RESERVE_MS = 2000;
/** A setup may take this many times its prediction (with a floor) before it counts as stuck. */
const SETUP_TIMEOUT_FACTOR = 10;
const SETUP_TIMEOUT_FLOOR_MS = 10_000;
/**
 * An inconclusive probe fails when the candidate's cost per call at the largest size it reached
 * is more than this many times the reference's. Honest solutions of the catalogue measure within
 * 1.1–3.5× of their reference at every size (a Map where the reference uses an array, a linked
 * list of objects where it uses parallel arrays); the slow ones are 30× and more behind at the
 * sizes their budget reaches.
 */
export const REFERENCE_FACTOR = 8;

export interface ProbeContext {
  candidate: Session;
  /** Loaded and paused: it runs only on its turns, with the candidate paused. */
  reference: Session;
  seed: number;
  /** performance.now() after which nothing more may run. */
  deadline: number;
  /** performance.now() by which this probe should be done (its share of the time left). */
  until?: number;
}

/** A probe's context while it runs: the two sides take turns (`Turns`). */
interface Probing extends ProbeContext {
  turns: Turns;
}

export interface ProbeOutcome {
  result: ComplexityResult;
  test: TestResult;
}

/** One size measured in one trial. */
interface SizeMeasure {
  n: number;
  nsPerOp: number;
  count: number;
  setupMs: number;
  /** The candidate's time this size took: setup, every timed batch, their background CPU. */
  costMs: number;
  /** The wall-clock time measuring it took (load on the machine stretches it). */
  wallMs: number;
}

/** The measurement failed in a way that fails the probe (not an error of the candidate's code). */
class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
}

export async function runProbe(ctx: ProbeContext, probe: ProbeDef, manifest: Manifest): Promise<ProbeOutcome> {
  const spec = manifest.complexity.find((c) => c.operation === probe.operation);
  if (!spec) throw new Error(`probe "${probe.operation}" has no expected class in the manifest`);
  const sizes = [...(probe.sizes ?? DEFAULT_PROBE_SIZES)].sort((a, b) => a - b);
  const started = performance.now();
  const base = { name: `complexity: ${probe.operation}`, sample: false };
  const empty: ComplexityResult = {
    operation: probe.operation,
    sizes: [],
    nsPerOp: [],
    exponent: 0,
    interval: [0, 0],
    class: 'inconclusive',
    confident: false,
    expected: spec.expected,
  };
  // Kept back for the decision (the reference timed at one size) and the last check.
  const wallCap = Math.min(ctx.until ?? ctx.deadline, ctx.deadline, started + PROBE_WALL_CAP_MS) - DECISION_RESERVE_MS;
  const trials: Map<number, SizeMeasure>[] = [new Map(), new Map()];
  const probing: Probing = { ...ctx, turns: new Turns(ctx.candidate, ctx.reference) };
  try {
    try {
      await measureTrials(probing, probe, sizes, trials, wallCap);
    } catch (e) {
      if (e instanceof ReferenceFailure) throw e;
      const test = await failedMeasurement(ctx, probe, e);
      return { result: empty, test: { ...base, ...test, durationMs: elapsed(started) } };
    }
    const decided = await decide(probing, probe, spec, trials);
    return {
      result: decided.result,
      test: { ...base, status: decided.passed ? 'passed' : 'failed', durationMs: elapsed(started), message: decided.message },
    };
  } finally {
    await probing.turns.end();
  }
}

/**
 * Trial 1 ascending within the budget, then trial 2 over the same sizes, descending. Each trial
 * measures all its sizes on the candidate, then checks all their results in one turn of the
 * reference (`checkTrial`).
 */
async function measureTrials(
  ctx: Probing,
  probe: ProbeDef,
  sizes: number[],
  trials: Map<number, SizeMeasure>[],
  wallCap: number,
): Promise<void> {
  const [first, second] = trials as [Map<number, SizeMeasure>, Map<number, SizeMeasure>];
  let spent = 0;
  let wallSoFar = 0;
  const records: TimedRecord[] = [];
  for (const n of sizes) {
    const predicted = predictCost([...first.values()], n);
    if (predicted) {
      // Trial 2 costs about what trial 1 did: reserve it.
      if (2 * (spent + predicted.costMs) > PROBE_BUDGET_MS) break;
      // In wall-clock time, with the machine's load as measured so far: this size, then checking
      // this trial, then trial 2 and its check, each about as long as measuring.
      const wall = predicted.costMs * Math.max(1, wallSoFar / Math.max(spent, 1e-3));
      if (performance.now() + wall + 3 * (wallSoFar + wall) > wallCap) break;
    }
    const m = await measureSize(ctx, probe, n, 1, predicted?.setupMs);
    first.set(n, m.size);
    records.push(m.record);
    spent += m.size.costMs;
    wallSoFar += m.size.wallMs;
  }
  await checkTrial(ctx, records);
  records.length = 0;
  for (const m of [...first.values()].reverse()) {
    if (performance.now() + 2 * m.wallMs > wallCap) break;
    const again = await measureSize(ctx, probe, m.n, 2, m.setupMs, m);
    second.set(m.n, again.size);
    records.push(again.record);
  }
  await checkTrial(ctx, records);
}

/** Every timed result of a trial against the reference's (see ResultCheck); throws ProbeFailure on the first that differs. */
async function checkTrial(ctx: Probing, records: TimedRecord[]): Promise<void> {
  if (records.length === 0) return;
  await ctx.turns.to(ctx.reference);
  const reference = await onReference('starting', () => ctx.reference.subject());
  const asks: [TimedRecord, Extract<ReplayOutcome, { ok: 'ask' }>][] = [];
  for (const record of records) {
    const outcome = await replayOnReference(reference, record, ctx.deadline);
    if (outcome.ok === false) throw new ProbeFailure(outcome.message);
    if (outcome.ok === 'ask') asks.push([record, outcome]);
  }
  if (asks.length === 0) return;
  const candidate = await ctx.candidate.subject();
  await ctx.turns.to(ctx.candidate);
  for (const [record, outcome] of asks) {
    const problem = await askCandidate(candidate, record, outcome, ctx.deadline);
    if (problem) throw new ProbeFailure(problem);
  }
}

interface Prediction {
  setupMs: number;
  callNs: number;
  costMs: number;
}

/**
 * What measuring size `n` should cost, from the sizes measured before it: setup and per-call
 * time extrapolated with the growth between the last two sizes (setup at least linearly, as it
 * makes n calls). Undefined for the first size, which is always tried.
 */
export function predictCost(before: readonly SizeMeasure[], n: number): Prediction | undefined {
  const last = before.at(-1);
  if (!last) return undefined;
  const prev = before.at(-2);
  const growth = (a: number, b: number, lo: number, hi: number, byDefault: number) =>
    prev && a > 0 && b > 0 ? Math.min(hi, Math.max(lo, Math.log(a / b) / Math.log(last.n / prev.n))) : byDefault;
  const ratio = n / last.n;
  const setupMs = last.setupMs * ratio ** growth(last.setupMs, prev?.setupMs ?? 0, 1, 3, 2);
  const callNs = last.nsPerOp * ratio ** growth(last.nsPerOp, prev?.nsPerOp ?? 0, 0, 3, 1);
  const batchMs = Math.max(TARGET_BATCH_NS, callNs) / 1e6;
  const calibrationMs = callNs >= TARGET_BATCH_NS ? 3 * batchMs : (4 * TARGET_BATCH_NS) / 1e6;
  return { setupMs, callNs, costMs: setupMs + calibrationMs + (1 + roundsFor(callNs)) * batchMs };
}

/** Full rounds while a batch stays near its target; fewer when single calls are slow. */
export function roundsFor(callNs: number): number {
  const batchNs = Math.max(TARGET_BATCH_NS, callNs);
  if (batchNs <= 4 * TARGET_BATCH_NS) return ROUNDS;
  return Math.max(MIN_ROUNDS, Math.min(ROUNDS, Math.floor((SLOW_SIZE_ROUNDS_MS * 1e6) / batchNs)));
}

/**
 * One size in one trial: a fresh structure, calibrated batches (trial 2 reuses trial 1's count),
 * a warm-up, the minimum of the rounds. Returns what the batches answered, to be checked.
 */
async function measureSize(
  ctx: Probing,
  probe: ProbeDef,
  n: number,
  trial: 1 | 2,
  setupMs: number | undefined,
  known?: SizeMeasure,
): Promise<{ size: SizeMeasure; record: TimedRecord }> {
  const workload = probe.workload(n, seededRng(ctx.seed, 'complexity', probe.operation, String(n), ...(trial === 2 ? ['trial 2'] : [])));
  const started = performance.now();
  // A candidate process killed earlier (a timeout) is restarted first; then it gets the turn.
  const subject = await ctx.candidate.subject();
  await ctx.turns.to(ctx.candidate);
  const timer = new WorkloadTimer(subject, ctx.deadline);
  if (known) timer.expectNsPerCall(known.nsPerOp);
  const built = await timer.build(workload, Math.max(SETUP_TIMEOUT_FLOOR_MS, SETUP_TIMEOUT_FACTOR * (setupMs ?? 0)));
  await timer.gc('full'); // the setup's garbage, before it slows the calibration's first batches
  const count = known?.count ?? (await timer.calibrate(built));
  const warm = await timer.run(built, count);
  const nsPerOp = await timer.minOfRounds(built, count, roundsFor(warm.ns / count), false);
  await timer.release(built);
  const batchesNs = built.schedule.reduce((sum, b) => sum + b.ns, 0);
  return {
    size: {
      n,
      nsPerOp,
      count,
      setupMs: built.setupNs / 1e6,
      costMs: (built.setupNs + batchesNs + timer.background) / 1e6,
      wallMs: performance.now() - started,
    },
    record: { workload, schedule: built.schedule, what: `\`${probe.operation}\` at n = ${n}` },
  };
}

/** What a failed measurement becomes: the candidate's doing, never ours (those are rethrown). */
async function failedMeasurement(ctx: ProbeContext, probe: ProbeDef, e: unknown): Promise<Pick<TestResult, 'status' | 'message'>> {
  const op = `\`${probe.operation}\``;
  if (e instanceof BatchTimeoutError || e instanceof AnswerTimeoutError) {
    const message = `a timed batch of ${op} ran longer than ${e instanceof BatchTimeoutError ? e.timeoutMs : OWN_ANSWER_TIMEOUT_MS} ms`;
    await ctx.candidate.recycle({ kind: 'timeout', message });
    return { status: 'timeout', message };
  }
  if (e instanceof ProbeFailure) return { status: 'failed', message: e.message };
  if (e instanceof SubjectGoneError) return { status: 'error', message: e.fault.message };
  // No candidate text here: by now the candidate has seen hidden data it could echo back.
  if (!(e instanceof RemoteCallError)) process.stderr.write(`probe ${probe.operation}: ${(e as Error)?.stack ?? String(e)}\n`);
  return { status: 'error', message: `candidate code threw while ${op} was measured` };
}

/** The class from both trials, and whether the probe passes (see the file's comment). */
async function decide(
  ctx: Probing,
  probe: ProbeDef,
  spec: Manifest['complexity'][number],
  trials: Map<number, SizeMeasure>[],
): Promise<{ result: ComplexityResult; passed: boolean; message: string }> {
  const measured = [...trials[0]!.keys()].filter((n) => trials.every((t) => t.has(n))).sort((a, b) => a - b);
  const nsPerOp = measured.map((n) => Math.min(...trials.map((t) => t.get(n)!.nsPerOp)));
  const fit = fitGrowth(measured, nsPerOp);
  // The class comes from both trials' minima together; a hint (and a failed probe) also needs each
  // trial on its own, noisier, to land in that class.
  const trialsAgree = trials.every(
    (t) =>
      classOfExponent(
        fitGrowth(
          measured,
          measured.map((n) => t.get(n)!.nsPerOp),
        ).exponent,
      ) === fit.class,
  );
  const confident = fit.confident && trialsAgree && fit.class !== 'inconclusive';
  const result: ComplexityResult = {
    operation: probe.operation,
    sizes: measured,
    nsPerOp: nsPerOp.map((v) => Math.round(v * 10) / 10),
    exponent: round(fit.exponent),
    interval: [round(fit.interval[0]), round(fit.interval[1])],
    class: fit.class,
    confident,
    expected: spec.expected,
  };
  if (confident) {
    const hint = complexityHint(probe.operation, { ...fit, confident }, spec.expected, spec.advice);
    const worse = compareClasses(fit.class, spec.expected) > 0;
    return {
      result: { ...result, ...(hint ? { hint } : {}) },
      passed: !worse,
      message: hint ?? `measured ${fit.class} (exponent ${result.exponent}), expected ${spec.expected}`,
    };
  }
  // Inconclusive: decided by the candidate's cost next to the reference's at the largest size reached.
  const reached = trials[0]!.size;
  const why =
    measured.length >= 4
      ? `the fit is not confident (exponent ${result.exponent}, interval ${result.interval[0]}–${result.interval[1]}${trialsAgree ? '' : ', the trials disagree'})`
      : measured.length < reached
        ? `the second trial measured ${measured.length} of the ${reached} sizes the first reached before time ran out`
        : `only ${reached} size${reached === 1 ? '' : 's'} could be measured within the probe's budget`;
  const largest = measured.at(-1) ?? [...trials[0]!.keys()].at(-1);
  if (largest === undefined) {
    const hint = `\`${probe.operation}\` could not be measured even at n = ${(probe.sizes ?? DEFAULT_PROBE_SIZES)[0]} within the probe's budget; expected it to grow ${describeGrowth(spec.expected)}.${spec.advice ? ` ${spec.advice}` : ''}`;
    return { result: { ...result, hint }, passed: false, message: `inconclusive, counted as failed: ${hint}` };
  }
  const candidateNs = Math.min(...trials.filter((t) => t.has(largest)).map((t) => t.get(largest)!.nsPerOp));
  const referenceNs = await referenceNsPerOp(ctx, probe, largest);
  const ratio = candidateNs / Math.max(referenceNs, 1e-3);
  const versus = `at n = ${largest} it costs ${formatNs(candidateNs)} per call, ${ratio.toFixed(1)}× the reference's ${formatNs(referenceNs)}`;
  if (ratio > REFERENCE_FACTOR) {
    const hint =
      `\`${probe.operation}\` could not be classified (${why}), but ${versus}: honest solutions stay within ${REFERENCE_FACTOR}×; ` +
      `expected it to grow ${describeGrowth(spec.expected)}.${spec.advice ? ` ${spec.advice}` : ''}`;
    return { result: { ...result, hint }, passed: false, message: `inconclusive, counted as failed: ${hint}` };
  }
  return { result, passed: true, message: `inconclusive (${why}); passed because ${versus} (allowed ${REFERENCE_FACTOR}×)` };
}

/** The reference's ns/op at size n on trial 1's workload, on its turn (the candidate paused). */
async function referenceNsPerOp(ctx: Probing, probe: ProbeDef, n: number): Promise<number> {
  const workload = probe.workload(n, seededRng(ctx.seed, 'complexity', probe.operation, String(n)));
  await ctx.turns.to(ctx.reference);
  return onReference(`timing \`${probe.operation}\` at n = ${n}`, async () => {
    const timer = new WorkloadTimer(await ctx.reference.subject(), Math.max(ctx.deadline, performance.now() + 60_000));
    const built = await timer.build(workload, 60_000);
    try {
      await timer.gc('full');
      const count = await timer.calibrate(built);
      await timer.run(built, count);
      return await timer.minOfRounds(built, count, ROUNDS);
    } finally {
      await timer.release(built);
    }
  });
}

function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

const round = (v: number) => Math.round(v * 1000) / 1000;
const elapsed = (since: number) => Math.round(performance.now() - since);
