/** A problem's suites: tests, complexity probes and latency benchmarks, as `suites.ts` defines them. */
import type { TestContext } from './context';
import type { HttpRequest, HttpResponse } from './http';
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

/**
 * A batch of calls of one method, each entry of `argsList` being one call's arguments. Timed
 * batches use the entries in order and continue where the previous batch stopped, cycling back
 * to the first entry after the last.
 */
export interface CallBatch {
  method: string;
  argsList: unknown[][];
  /**
   * How the results of these calls are checked when they run inside timed batches:
   * - `'reference'` (the default for `measure` and `verify`): every result must be the reference
   *   solution's for the same call in the same run, for results the statement fixes.
   * - `'consistent'`: for results the statement leaves to the implementation but that depend only
   *   on the call's arguments and the structure (a Bloom filter's false positives). Where they
   *   differ from the reference's, the driver asks the candidate the batch's calls again one at a
   *   time, outside timing, on the same structure, and accepts the batch when its results are
   *   those answers. Never give it to results the statement fixes: a solution answering wrongly
   *   but consistently on large inputs only (which only probes use) would pass.
   * - `'open'` (the default for `setup`): not checked, for results the statement leaves open and
   *   that depend on earlier calls (a `put` that returns nothing in particular). Verify the state
   *   the calls leave behind with `Workload.verify` instead.
   */
  results?: 'reference' | 'consistent' | 'open';
  /**
   * `setup` batches: how many calls to make (default: one per entry of `argsList`). `verify`
   * batches: how many calls run after each timed batch (default: all of `argsList`).
   */
  calls?: number;
  /**
   * After each full pass over `argsList`, the numbers at positions `args` of every entry grow by
   * `by`: keys stay fresh and clocks move forward however many passes the calls make, without an
   * `argsList` as long as all the calls (e.g. a setup of n puts as one entry `[0, 0]` advancing
   * both by 1 for `calls: n`). The arguments at those positions must be numbers, or strings ending in a
   * decimal number without leading zeros, which grows (`'item-7'` by 1000 becomes `'item-1007'`).
   */
  advance?: { args: number[]; by: number };
  /**
   * `verify` batches only: instead of `argsList` (leave it empty), call `method` with the
   * arguments at positions `args` of the measured calls made `back` calls before the batch's
   * last one (1: the last call itself) — e.g. `get` the keys the last `put`s wrote, and keys
   * written long enough ago to be evicted by now.
   */
  echo?: { args: number[]; back: number[] };
  /** `verify` batches only: read the property `method` (a getter such as `size`) instead of calling it. */
  read?: boolean;
  /**
   * Results are compared with the reference's by this property alone (a page's `items`, where the
   * statement leaves the format of its cursor to the solution).
   */
  compare?: string;
  /**
   * Calls that go on from the call before them: in every group of `every` entries the last one
   * takes, as the property `key` of its argument `arg` (an object), the property `from` of the
   * previous call's result — `page({ limit, cursor })` with the cursor the page before it
   * returned, a value only the solution itself can make. Never asked again one call at a time.
   */
  chain?: Chain;
}

/** See `CallBatch.chain`. */
export interface Chain {
  every: number;
  arg: number;
  key: string;
  from: string;
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
  /**
   * A short read-back after every timed batch, inside the same timed round trip: each batch runs
   * `calls` of its calls in order (continuing from where its last read-back stopped), and their
   * results are compared with the reference's after the same batches. Give one to every
   * workload whose measured calls change state, so that calls skipping their work are caught
   * even when their own results look right (a few `get`s of what recent `put`s wrote, and the
   * `size`). Keep it to a few calls: they are timed with the batch, and should cost little next
   * to it for any honest solution (a check that may not belongs in `verifyAtEnd`).
   */
  verify?: CallBatch[];
  /**
   * A read-back run once, after the last timed batch on the structure, in its own timed round
   * trip; its results are compared with the reference's and its time is charged to the
   * measurement (spread over the measured calls), so work deferred to it is paid for. For checks
   * that would cost more than the measured calls if they ran after every batch: on an LRU cache
   * timed on `get`, the `put` that evicts (an O(n) scan in some honest-looking solutions) and the
   * `get`s that show which key it evicted.
   */
  verifyAtEnd?: CallBatch[];
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
  /**
   * What of a response must match the reference server's response to the same request (the same
   * `i` and random draws, with each server's own `setup` state): the driver compares
   * `compare(candidateResponse, candidateState, request)` with `compare(referenceResponse,
   * referenceState, referenceRequest)` using `deepEqual`, for every request of the benchmark.
   * Default: the status, the Location header, and the body when the reference's is JSON. Map
   * server-chosen values (generated ids, timestamps) to something both servers share.
   */
  compare?(res: HttpResponse, state: unknown, req: HttpRequest): unknown;
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
