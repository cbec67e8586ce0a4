/**
 * Latency benchmarks: the same workload on the candidate and on the reference solution, built
 * from the same seed and timed in alternating batches in one run, so machine speed cancels out
 * and only the ratio is judged.
 */
import type { HttpLatencyDef, LatencyDef } from '@assay/sdk';
import type { LatencyResult, TestResult } from '@assay/contracts';
import type { Session } from './Session';
import { SubjectGoneError } from './SubjectProcess';
import type { ServiceHttpClient } from './HttpClient';
import { seededRng, testContext } from './TestRunner';
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

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
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
): Promise<LatencyOutcome> {
  const started = performance.now();
  const name = `latency: ${def.operation}`;
  const sides: { timer: WorkloadTimer; built: BuiltWorkload; count: number; samples: number[] }[] = [];
  try {
    for (const session of [candidate, reference]) {
      const timer = new WorkloadTimer(await session.subject());
      const built = await timer.build(def.workload(seededRng(seed, 'latency', def.operation)));
      await timer.measureRoundTrip(built);
      sides.push({ timer, built, count: 0, samples: [] });
    }
    const [cand, ref] = sides as [(typeof sides)[0], (typeof sides)[0]];
    ref.count = await ref.timer.calibrate(ref.built, LATENCY_BATCH_NS);
    const candNs = await cand.timer.timeBatch(cand.built, ref.count);
    cand.count = Math.max(1, Math.min(ref.count, Math.floor(MAX_CANDIDATE_BATCH_NS / Math.max(candNs, 1))));
    const samples = def.samples ?? DEFAULT_SAMPLES;
    for (let i = 0; i < samples; i++)
      for (const side of i % 2 ? [ref, cand] : [cand, ref]) side.samples.push(await side.timer.timeBatch(side.built, side.count));
    for (const side of sides) await side.timer.release(side.built);
  } catch (e) {
    const message = e instanceof SubjectGoneError ? e.fault.message : 'candidate code failed during the latency benchmark';
    const zero = { p50: 0, p95: 0, p99: 0 };
    return {
      result: {
        operation: def.operation,
        unit: 'us',
        candidate: zero,
        reference: zero,
        ratio: 0,
        allowedRatio,
        passed: false,
        error: message,
      },
      test: { name, sample: false, status: 'error', durationMs: Math.round(performance.now() - started), message },
    };
  }
  const [c, r] = [sides[0]!.samples, sides[1]!.samples];
  const cand = summarise(c);
  const ref = summarise(r);
  const ratio = Math.round(median(c.map((v, i) => v / Math.max(r[i]!, 1e-3))) * 100) / 100;
  const passed = ratio <= allowedRatio;
  const message = `p50 ${cand.p50} µs vs reference ${ref.p50} µs: ${ratio}× (median of paired ratios, allowed ${allowedRatio}×)`;
  return {
    result: { operation: def.operation, unit: 'us', candidate: cand, reference: ref, ratio, allowedRatio, passed },
    test: { name, sample: false, status: passed ? 'passed' : 'failed', durationMs: Math.round(performance.now() - started), message },
  };
}

/** Requests per block: the two servers take turns, the idle one frozen so neither can touch the other. */
const HTTP_BLOCK = 50;

export interface ServiceSide {
  session: Session;
  http: ServiceHttpClient;
}

/**
 * HTTP latency under a fixed load: the same requests against the candidate's server and the
 * reference server, in alternating blocks with `concurrency` requests in flight. While one side
 * is measured the other is frozen (SIGSTOP), so a candidate cannot proxy to the reference or
 * slow it down.
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
  let failures = 0;
  try {
    const states: unknown[] = [];
    for (const side of sides)
      states.push(await def.setup(testContext(await side.session.subject(), side.http, seededRng(seed, 'latency', def.operation))));
    for (let done = 0; done < total; done += HTTP_BLOCK) {
      for (const [i, side] of (done / HTTP_BLOCK) % 2
        ? [[1, reference] as const, [0, candidate] as const]
        : [[0, candidate] as const, [1, reference] as const]) {
        sides[1 - i]!.session.freeze(true);
        side.session.freeze(false);
        const rng = seededRng(seed, 'latency', def.operation, String(done));
        const block = Array.from({ length: Math.min(HTTP_BLOCK, total - done) }, (_, k) => done + k);
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < block.length) {
              const req = def.request(states[i], block[next++]!, rng);
              const t0 = performance.now();
              try {
                const res = await side.http.request(req);
                if (res.status >= 500) failures += i === 0 ? 1 : 0;
              } catch {
                failures += i === 0 ? 1 : 0;
              }
              samples[i]!.push(performance.now() - t0);
            }
          }),
        );
      }
    }
  } catch (e) {
    // The candidate's server broke the benchmark (a wrong answer in setup, a dropped connection):
    // the benchmark fails; it is never our internal error.
    const message =
      e instanceof SubjectGoneError ? e.fault.message : `the benchmark could not run against your server: ${describeHttpFailure(e)}`;
    const zero = { p50: 0, p95: 0, p99: 0 };
    return {
      result: {
        operation: def.operation,
        unit: 'ms',
        candidate: zero,
        reference: zero,
        ratio: 0,
        allowedRatio,
        passed: false,
        error: message,
      },
      test: { name, sample: false, status: 'error', durationMs: Math.round(performance.now() - started), message },
    };
  } finally {
    for (const side of sides) side.session.freeze(false);
  }
  const ms = (v: number) => Math.round(v * 1000) / 1000;
  const summary = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: ms(percentile(s, 50)), p95: ms(percentile(s, 95)), p99: ms(percentile(s, 99)) };
  };
  const cand = summary(samples[0]!);
  const ref = summary(samples[1]!);
  const ratio = Math.round((cand.p50 / Math.max(ref.p50, 0.001)) * 100) / 100;
  const passed = ratio <= allowedRatio && failures === 0;
  const error = failures ? `${failures} of ${total} requests failed or answered 5xx` : undefined;
  const message = `${error ? `${error}; ` : ''}p50 ${cand.p50} ms vs reference ${ref.p50} ms: ${ratio}× (allowed ${allowedRatio}×), ${concurrency} in flight`;
  return {
    result: {
      operation: def.operation,
      unit: 'ms',
      candidate: cand,
      reference: ref,
      ratio,
      allowedRatio,
      passed,
      ...(error ? { error } : {}),
    },
    test: { name, sample: false, status: passed ? 'passed' : 'failed', durationMs: Math.round(performance.now() - started), message },
  };
}

/** Only the failure's kind: assertion texts from the suite may carry hidden test data. */
function describeHttpFailure(e: unknown): string {
  const err = e as { name?: string; code?: string };
  if (err?.name === 'AssertionFailure') return 'its answers during setup were wrong';
  return err?.code ?? err?.name ?? 'error';
}
