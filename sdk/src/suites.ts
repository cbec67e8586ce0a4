/** A problem's suites: tests, complexity probes and latency benchmarks, as `suites.ts` defines them. */
import type { TestContext } from './context';
import type { HttpRequest } from './http';
import type { Rng } from './random';

export interface TestDef {
  name: string;
  /** Sample tests are shown to the candidate in full (input, expected, actual). */
  sample: boolean;
  timeoutMs?: number;
  run(ctx: TestContext): Promise<void>;
}

export interface TestOptions {
  timeoutMs?: number;
}

/** A hidden test: the candidate sees its name and whether it passed, nothing else. */
export function test(name: string, run: (ctx: TestContext) => Promise<void>, opts: TestOptions = {}): TestDef {
  return { name, sample: false, run, ...opts };
}

/** A sample test: shown to the candidate in full. */
export function sample(name: string, run: (ctx: TestContext) => Promise<void>, opts: TestOptions = {}): TestDef {
  return { name, sample: true, run, ...opts };
}

/** A batch of calls of one method, each entry of `argsList` being one call's arguments. */
export interface CallBatch {
  method: string;
  argsList: unknown[][];
}

/**
 * One structure of a given size, and the operation to time on it. The driver builds it in the
 * subject (`construct`, then every `setup` batch in order), then times `measure` batches from the
 * driver side. With `construct: null` the batches call exported functions instead of methods
 * (e.g. `isBalanced` on inputs of length n).
 */
export interface Workload {
  construct: { className: string; args: unknown[] } | null;
  setup: CallBatch[];
  measure: CallBatch;
}

/** A complexity probe: how the cost of one operation grows with size. */
export interface ProbeDef {
  /** Must match an `operation` in the manifest's `complexity` list. */
  operation: string;
  /** Defaults to 2^8 … 2^16. */
  sizes?: number[];
  workload(n: number, rng: Rng): Workload;
}

/** A latency benchmark: the candidate next to the reference solution, in the same run. */
export interface LatencyDef {
  operation: string;
  workload(rng: Rng): Workload;
  /** Timed batches per side. */
  samples?: number;
}

/** HTTP latency under a fixed load (service problems). */
export interface HttpLatencyDef {
  operation: string;
  /** Prepares data on a fresh server (e.g. creates records); returns state passed to `request`. */
  setup(ctx: TestContext): Promise<unknown>;
  request(state: unknown, i: number, rng: Rng): HttpRequest;
  /** Requests per side. */
  requests?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface Suites {
  correctness: TestDef[];
  stress?: TestDef[];
  latency?: Array<LatencyDef | HttpLatencyDef>;
  complexity?: ProbeDef[];
}

export function defineSuites(suites: Suites): Suites {
  const names = new Set<string>();
  for (const t of [...suites.correctness, ...(suites.stress ?? [])]) {
    if (names.has(t.name)) throw new Error(`duplicate test name: ${t.name}`);
    names.add(t.name);
  }
  return suites;
}

export const DEFAULT_PROBE_SIZES: readonly number[] = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
