/**
 * Latency benchmarks: the same workload on the candidate and on the reference solution, built
 * from the same seed and timed in alternating batches in one run, so machine speed cancels out
 * and only the ratio is judged. The two sides take turns (`Turns`): the one not being timed is
 * paused. Every timed result is checked: the batches' digests against the reference's replay
 * (`ResultCheck`), every HTTP response against the reference server's answer to the same request.
 */
import { deepEqual, type HttpLatencyDef, type HttpRequest, type HttpResponse, type LatencyDef } from '@assay/sdk';
import type { LatencyResult, TestResult } from '@assay/contracts';
import {
  AnswerTimeoutError,
  askCandidate,
  compareSchedules,
  onReference,
  OWN_ANSWER_TIMEOUT_MS,
  ReferenceFailure,
  replayOnReference,
} from './ResultCheck';
import type { Session } from './Session';
import { BatchTimeoutError, RemoteCallError, SubjectGoneError } from './SubjectProcess';
import type { ServiceHttpClient } from './HttpClient';
import { seededRng, testContext } from './TestRunner';
import { Turns } from './Turns';
import { WorkloadTimer, type BuiltWorkload } from './WorkloadTimer';

const DEFAULT_SAMPLES = 30;

export interface LatencyOutcome {
  result: LatencyResult;
  test: TestResult;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function summarise(nsSamples: number[]) {
  const s = [...nsSamples].sort((a, b) => a - b);
  const us = (v: number) => Math.round(v / 10) / 100;
  return { p50: us(percentile(s, 50)), p95: us(percentile(s, 95)), p99: us(percentile(s, 99)) };
}

/** A batch long enough that the round trip's jitter is small next to it. */
const LATENCY_BATCH_NS = 4_000_000;
/** A candidate batch is cut down to stay under this, however slow the candidate is. */
const MAX_CANDIDATE_BATCH_NS = 50_000_000;
/** The workload's setup may take this long on the candidate before it counts as stuck. */
const SETUP_TIMEOUT_MS = 20_000;

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

const zero = { p50: 0, p95: 0, p99: 0 };

function failed(
  def: { operation: string },
  unit: 'us' | 'ms',
  allowedRatio: number,
  started: number,
  test: Pick<TestResult, 'status' | 'message'>,
): LatencyOutcome {
  return {
    result: {
      operation: def.operation,
      unit,
      candidate: zero,
      reference: zero,
      ratio: 0,
      allowedRatio,
      passed: false,
      error: test.message!,
    },
    test: { name: `latency: ${def.operation}`, sample: false, durationMs: Math.round(performance.now() - started), ...test },
  };
}

interface Side {
  session: Session;
  timer: WorkloadTimer;
  built: BuiltWorkload;
  count: number;
  /** ns per call, one per timed batch. */
  samples: number[];
}

/**
 * Each sample is a pair: one candidate batch and one reference batch back to back (order
 * alternating), so both see the same machine. The verdict uses the median of the pairs' ratios,
 * which a burst of load on the machine moves far less than either side's own percentiles.
 */
export async function runLatency(
  candidate: Session,
  reference: Session,
  def: LatencyDef,
  allowedRatio: number,
  seed: number,
  deadline: number,
): Promise<LatencyOutcome> {
  const started = performance.now();
  const name = `latency: ${def.operation}`;
  const workload = def.workload(seededRng(seed, 'latency', def.operation));
  const turns = new Turns(candidate, reference);
  try {
    const candSubject = await candidate.subject();
    await turns.to(candidate);
    const candTimer = new WorkloadTimer(candSubject, deadline);
    const cand: Side = {
      session: candidate,
      timer: candTimer,
      built: await candTimer.build(workload, SETUP_TIMEOUT_MS),
      count: 0,
      samples: [],
    };
    await turns.to(reference);
    const ref = await onReference(`building \`${def.operation}\``, async () => {
      const timer = new WorkloadTimer(await reference.subject(), Math.max(deadline, performance.now() + 60_000));
      const built = await timer.build(workload, 60_000);
      return { session: reference, timer, built, count: await timer.calibrate(built, LATENCY_BATCH_NS), samples: [] as number[] };
    });
    await turns.to(candidate);
    // The candidate runs the reference's calibration batches too, so both sides run the same
    // counts in the same order and their digests compare batch by batch — unless a batch gets
    // too long for a slow candidate, whose count is then cut down (and its results replayed).
    let mirrored = true;
    const steps = ref.built.schedule.map((b) => b.count);
    for (let i = 0; i < steps.length && mirrored;) {
      // Batches of one count are judged by their fastest: one slowed by a GC or the machine is not the candidate's speed.
      const count = steps[i]!;
      let fastest = Infinity;
      for (; steps[i] === count; i++) fastest = Math.min(fastest, (await cand.timer.run(cand.built, count)).ns);
      if (fastest > MAX_CANDIDATE_BATCH_NS) {
        mirrored = false;
        cand.count = Math.max(1, Math.min(ref.count, Math.floor((MAX_CANDIDATE_BATCH_NS * count) / fastest)));
      }
    }
    if (mirrored) cand.count = ref.count;
    const samples = def.samples ?? DEFAULT_SAMPLES;
    const background = [cand.timer.background, ref.timer.background];
    for (let i = 0; i < samples; i++)
      for (const side of i % 2 ? [ref, cand] : [cand, ref]) {
        await turns.to(side.session);
        const run = () => side.timer.run(side.built, side.count);
        const batch = side === ref ? await onReference(`timing \`${def.operation}\``, run) : await run();
        side.samples.push(batch.ns / side.count);
      }
    // The read-backs at the end, then what the sides ran beside their batches' round trips
    // (other threads, work after a batch answered, the end read-back), per call.
    await turns.to(candidate);
    await cand.timer.finish(cand.built);
    await turns.to(reference);
    await onReference(`finishing \`${def.operation}\``, () => ref.timer.finish(ref.built));
    [cand, ref].forEach((side, k) => {
      const perCall = (side.timer.background - background[k]!) / (samples * side.count);
      side.samples = side.samples.map((ns) => ns + perCall);
    });
    await turns.to(reference);
    await onReference(`releasing \`${def.operation}\``, () => ref.timer.release(ref.built));
    const record = { workload, schedule: cand.built.schedule, what: `\`${def.operation}\`` };
    const refSubject = await onReference('starting', () => reference.subject());
    const outcome = mirrored ? compareSchedules(record, ref.built.schedule) : await replayOnReference(refSubject, record, deadline);
    await turns.to(candidate);
    await cand.timer.release(cand.built);
    const problem =
      outcome.ok === true ? undefined : outcome.ok === false ? outcome.message : await askCandidate(candSubject, record, outcome, deadline);
    if (problem) return failed(def, 'us', allowedRatio, started, { status: 'failed', message: problem });
    const c = cand.samples;
    const r = ref.samples;
    const candidateSummary = summarise(c);
    const referenceSummary = summarise(r);
    const ratio = Math.round(median(c.map((v, i) => v / Math.max(r[i]!, 1e-3))) * 100) / 100;
    const passed = ratio <= allowedRatio;
    const message = `p50 ${candidateSummary.p50} µs vs reference ${referenceSummary.p50} µs: ${ratio}× (median of paired ratios, allowed ${allowedRatio}×)`;
    return {
      result: {
        operation: def.operation,
        unit: 'us',
        candidate: candidateSummary,
        reference: referenceSummary,
        ratio,
        allowedRatio,
        passed,
      },
      test: { name, sample: false, status: passed ? 'passed' : 'failed', durationMs: Math.round(performance.now() - started), message },
    };
  } catch (e) {
    if (e instanceof ReferenceFailure) throw e;
    return failed(def, 'us', allowedRatio, started, await describeFailure(candidate, def.operation, e));
  } finally {
    await turns.end();
  }
}

/** A benchmark the candidate's code broke: never our internal error (those are rethrown). */
async function describeFailure(candidate: Session, operation: string, e: unknown): Promise<Pick<TestResult, 'status' | 'message'>> {
  if (e instanceof BatchTimeoutError || e instanceof AnswerTimeoutError) {
    const message = `a timed batch of \`${operation}\` ran longer than ${e instanceof BatchTimeoutError ? e.timeoutMs : OWN_ANSWER_TIMEOUT_MS} ms`;
    await candidate.recycle({ kind: 'timeout', message });
    return { status: 'timeout', message };
  }
  if (e instanceof SubjectGoneError) return { status: 'error', message: e.fault.message };
  if (!(e instanceof RemoteCallError)) process.stderr.write(`latency ${operation}: ${(e as Error)?.stack ?? String(e)}\n`);
  return { status: 'error', message: 'candidate code failed during the latency benchmark' };
}

/** Requests per block: the two servers take turns, the idle one paused so neither can touch the other. */
const HTTP_BLOCK = 50;

export interface ServiceSide {
  session: Session;
  http: ServiceHttpClient;
}

/** What one request got: its response, or nothing when the request failed. */
interface Exchange {
  req: HttpRequest;
  res: HttpResponse | undefined;
}
type Answered = { req: HttpRequest; res: HttpResponse };

/**
 * HTTP latency under a fixed load: the same requests against the candidate's server and the
 * reference server, in alternating blocks with `concurrency` requests in flight. While one side
 * is measured the other is paused, so a candidate cannot proxy to the reference or slow it down.
 * Every response must match the reference server's to the same request (`HttpLatencyDef.compare`),
 * so a server cannot answer the benchmark's requests cheaply with something else.
 */
export async function runHttpLatency(
  candidate: ServiceSide,
  reference: ServiceSide,
  def: HttpLatencyDef,
  allowedRatio: number,
  seed: number,
): Promise<LatencyOutcome> {
  const started = performance.now();
  const name = `latency: ${def.operation}`;
  const total = def.requests ?? 400;
  const concurrency = def.concurrency ?? 8;
  const sides = [candidate, reference];
  const samples: number[][] = [[], []];
  const exchanges: Exchange[][] = [[], []];
  const turns = new Turns(candidate.session, reference.session);
  const states: unknown[] = [];
  try {
    for (const side of sides) {
      await turns.to(side.session);
      states.push(await def.setup(testContext(await side.session.subject(), side.http, seededRng(seed, 'latency', def.operation))));
    }
    for (let done = 0; done < total; done += HTTP_BLOCK) {
      for (const [i, side] of (done / HTTP_BLOCK) % 2
        ? [[1, reference] as const, [0, candidate] as const]
        : [[0, candidate] as const, [1, reference] as const]) {
        await turns.to(side.session);
        // The same draws on both sides, in the same order: request k is the same request for both.
        const rng = seededRng(seed, 'latency', def.operation, String(done));
        const block = Array.from({ length: Math.min(HTTP_BLOCK, total - done) }, (_, k) => done + k);
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < block.length) {
              const k = block[next++]!;
              const req = def.request(states[i], k, rng);
              const t0 = performance.now();
              let res: HttpResponse | undefined;
              try {
                res = await side.http.request(req);
              } catch (e) {
                if (i === 1) throw new ReferenceFailure(`the reference server failed a benchmark request: ${(e as Error).message}`);
              }
              samples[i]!.push(performance.now() - t0);
              exchanges[i]![k] = { req, res };
            }
          }),
        );
      }
    }
  } catch (e) {
    if (e instanceof ReferenceFailure) throw e;
    // The candidate's server broke the benchmark (a wrong answer in setup, a dropped connection):
    // the benchmark fails; it is never our internal error.
    const message =
      e instanceof SubjectGoneError ? e.fault.message : `the benchmark could not run against your server: ${describeHttpFailure(e)}`;
    return failed(def, 'ms', allowedRatio, started, { status: 'error', message });
  } finally {
    await turns.end();
  }
  const ms = (v: number) => Math.round(v * 1000) / 1000;
  const summary = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: ms(percentile(s, 50)), p95: ms(percentile(s, 95)), p99: ms(percentile(s, 99)) };
  };
  const cand = summary(samples[0]!);
  const ref = summary(samples[1]!);
  const ratio = Math.round((cand.p50 / Math.max(ref.p50, 0.001)) * 100) / 100;
  const differ = compareResponses(def, exchanges, states);
  const passed = ratio <= allowedRatio && differ === undefined;
  const message = `${differ ? `${differ}; ` : ''}p50 ${cand.p50} ms vs reference ${ref.p50} ms: ${ratio}× (allowed ${allowedRatio}×), ${concurrency} in flight`;
  return {
    result: {
      operation: def.operation,
      unit: 'ms',
      candidate: cand,
      reference: ref,
      ratio,
      allowedRatio,
      passed,
      ...(differ ? { error: differ } : {}),
    },
    test: { name, sample: false, status: passed ? 'passed' : 'failed', durationMs: Math.round(performance.now() - started), message },
  };
}

/**
 * Undefined when every candidate response matches the reference's to the same request; else how
 * many did not and how the first differs — statuses and which part only, never a body (the
 * candidate has seen hidden tests by now).
 */
export function compareResponses(def: HttpLatencyDef, exchanges: Exchange[][], states: unknown[]): string | undefined {
  const [mine, theirs] = exchanges as [Exchange[], Exchange[]];
  let count = 0;
  let first: string | undefined;
  for (let k = 0; k < theirs.length; k++) {
    const c = mine[k];
    const r = theirs[k];
    if (!r?.res) continue;
    const what = !c?.res ? 'no response' : responseDifference(def, c as Answered, r as Answered, states);
    if (!what) continue;
    count++;
    first ??= `request ${k + 1} (${r.req.method}): ${what}`;
  }
  return count
    ? `${count} of ${theirs.length} responses differ from the reference server's to the same requests (first: ${first})`
    : undefined;
}

const isJson = (res: HttpResponse) => (res.headers['content-type'] ?? '').includes('json');

function responseDifference(def: HttpLatencyDef, c: Answered, r: Answered, states: unknown[]): string | undefined {
  if (c.res.status !== r.res.status) return `status ${c.res.status} where the reference answered ${r.res.status}`;
  if (def.compare)
    return deepEqual(def.compare(c.res, states[0], c.req), def.compare(r.res, states[1], r.req)) ? undefined : 'the response differs';
  if ((c.res.headers.location ?? null) !== (r.res.headers.location ?? null)) return 'the Location header differs';
  if (isJson(r.res) && (!isJson(c.res) || !deepEqual(c.res.body, r.res.body))) return 'the JSON body differs';
  return undefined;
}

/** Only the failure's kind: assertion texts from the suite may carry hidden test data. */
function describeHttpFailure(e: unknown): string {
  const err = e as { name?: string; code?: string };
  if (err?.name === 'AssertionFailure') return 'its answers during setup were wrong';
  return err?.code ?? err?.name ?? 'error';
}
