/**
 * Latency benchmarks: the same workload on the candidate and on the reference solution, built
 * from the same seed and timed in alternating batches in one run, so machine speed cancels out
 * and only the ratio is judged.
 */
import type { LatencyDef } from '@assay/problems/sdk';
import type { LatencyResult, TestResult } from '@assay/schema';
import type { Session } from './Session';
import { SubjectGoneError } from './SubjectProcess';
import { seededRng } from './TestRunner';
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

export async function runLatency(candidate: Session, reference: Session, def: LatencyDef, allowedRatio: number, seed: number): Promise<LatencyOutcome> {
  const started = performance.now();
  const name = `latency: ${def.operation}`;
  const sides: { timer: WorkloadTimer; built: BuiltWorkload; count: number; samples: number[] }[] = [];
  try {
    for (const session of [candidate, reference]) {
      const timer = new WorkloadTimer(await session.subject());
      const built = await timer.build(def.workload(seededRng(seed, 'latency', def.operation)));
      await timer.measureRoundTrip(built);
      const count = await timer.calibrate(built, 50_000_000);
      sides.push({ timer, built, count, samples: [] });
    }
    const samples = def.samples ?? DEFAULT_SAMPLES;
    for (let i = 0; i < samples; i++)
      for (const side of i % 2 ? [...sides].reverse() : sides) side.samples.push(await side.timer.timeBatch(side.built, side.count));
    for (const side of sides) await side.timer.release(side.built);
  } catch (e) {
    const message = e instanceof SubjectGoneError ? e.fault.message : 'candidate code failed during the latency benchmark';
    const zero = { p50: 0, p95: 0, p99: 0 };
    return {
      result: { operation: def.operation, unit: 'us', candidate: zero, reference: zero, ratio: 0, allowedRatio, passed: false, error: message },
      test: { name, sample: false, status: 'error', durationMs: Math.round(performance.now() - started), message },
    };
  }
  const cand = summarise(sides[0]!.samples);
  const ref = summarise(sides[1]!.samples);
  const ratio = Math.round((cand.p50 / Math.max(ref.p50, 0.01)) * 100) / 100;
  const passed = ratio <= allowedRatio;
  const message = `p50 ${cand.p50} µs vs reference ${ref.p50} µs: ${ratio}× (allowed ${allowedRatio}×)`;
  return {
    result: { operation: def.operation, unit: 'us', candidate: cand, reference: ref, ratio, allowedRatio, passed },
    test: { name, sample: false, status: passed ? 'passed' : 'failed', durationMs: Math.round(performance.now() - started), message },
  };
}
