/**
 * Checks every result a candidate's timed batches produced. The reference solution (trusted)
 * builds the same workload from the same seed and runs the same batches — the same counts, in
 * the same order, with the same read-backs — and each batch's digests must equal the candidate's.
 * A candidate that skips work inside timed batches answers differently there (or leaves a state
 * its read-back shows), whatever it used to tell the batches from test calls.
 *
 * Where a batch's own results differ but its read-backs agree, and the workload says its results
 * are ones the statement leaves to the implementation (`CallBatch.results: 'consistent'`, a Bloom
 * filter's false positives), the candidate is then asked the measured calls once more, one at a
 * time and outside timing, exactly like a test asks them, on a structure built the same way, and
 * the batch stands only if it answered what the candidate answers there. That assumes a call's
 * result depends only on its arguments and the structure; it is never done for advancing or
 * chained arguments, nor for results the statement fixes (a solution wrong on large inputs only,
 * but consistently, would pass).
 *
 * Both steps work on recorded schedules, so a probe can measure every size of a trial on the
 * candidate first and check them all in one turn of the reference.
 */
import type { Workload } from '@assay/sdk';
import { addToDigest, DIGEST_START, hashResult, isPlainData } from '../wire/resultDigest';
import { SubjectGoneError, type SubjectProcess } from './SubjectProcess';
import { type TimedBatch, WorkloadTimer } from './WorkloadTimer';

/** The reference is trusted and fast: a batch it cannot finish in this long is our bug. */
const REFERENCE_TIMEOUT_MS = 60_000;
/** The most calls the one-at-a-time check asks (each is a round trip). */
const MAX_OWN_ANSWERS = 4096;
/** How long building the structure again may take the candidate (it was built once already). */
const CANDIDATE_SETUP_TIMEOUT_MS = 20_000;
/** How long one of those calls may take. */
export const OWN_ANSWER_TIMEOUT_MS = 4000;

/** What the candidate's timed batches on one structure answered, to be checked. */
export interface TimedRecord {
  workload: Workload;
  schedule: TimedBatch[];
  /** Names the measurement in messages, e.g. "`get` at n = 4096". */
  what: string;
}

/** A batch whose own results differ from the reference's (its read-backs agreed). */
interface Mismatch {
  batch: number;
  /** Its first call's entry in the measured batch, and its calls. */
  start: number;
  count: number;
}

/** Thrown when one of the one-at-a-time calls outlasts its timeout: the caller recycles the process. */
export class AnswerTimeoutError extends Error {
  override readonly name = 'AnswerTimeoutError';
}

/** The reference solution failed: ours to fix, never the candidate's fault (an internal error). */
export class ReferenceFailure extends Error {
  override readonly name = 'ReferenceFailure';
}

/** Runs `work` on the reference; whatever goes wrong there becomes a ReferenceFailure. */
export async function onReference<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ReferenceFailure) throw e;
    // Killed while candidate code ran (the OOM killer, no pid left for a thread): the candidate's doing.
    if (e instanceof SubjectGoneError && e.candidateCaused) throw e;
    throw new ReferenceFailure(`the reference solution failed while ${what}: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** The verdict on one record after the reference's replay: fine, failed, or to be asked again. */
export type ReplayOutcome = { ok: true } | { ok: false; message: string } | { ok: 'ask'; mismatches: Mismatch[]; message: string };

/**
 * Replays `record` on the reference (its turn): builds the workload, runs the candidate's batch
 * counts in order and compares every digest.
 */
export async function replayOnReference(reference: SubjectProcess, record: TimedRecord, deadline: number): Promise<ReplayOutcome> {
  const { workload, schedule, what } = record;
  if (schedule.length === 0) return { ok: true };
  const expected = await onReference(`replaying ${what}`, async () => {
    const timer = new WorkloadTimer(reference, Math.max(deadline, performance.now() + REFERENCE_TIMEOUT_MS), false);
    timer.expectNsPerCall(REFERENCE_TIMEOUT_MS * 1e6);
    const built = await timer.build(workload, REFERENCE_TIMEOUT_MS);
    try {
      for (const batch of schedule) await (batch.end ? timer.finish(built) : timer.run(built, batch.count));
      return built.schedule;
    } finally {
      await timer.release(built);
    }
  });
  return compareSchedules(record, expected);
}

/**
 * The candidate's batches next to the reference's for the same counts in the same order (a
 * replay, or a latency benchmark's own reference batches when both sides ran the same counts).
 */
export function compareSchedules({ workload, schedule, what }: TimedRecord, expected: readonly TimedBatch[]): ReplayOutcome {
  const entries = workload.measure.argsList.length;
  const mismatches: Mismatch[] = [];
  let at = 0;
  for (const [k, batch] of schedule.entries()) {
    const theirs = expected[k];
    if (theirs?.count !== batch.count) throw new Error(`the schedules of ${what} differ at batch ${k + 1}`);
    const start = at;
    at = (at + batch.count) % entries;
    if (theirs.end !== batch.end) throw new Error(`the schedules of ${what} differ at batch ${k + 1}`);
    const readBack = theirs.digests.findIndex((d, i) => i > 0 && d !== batch.digests[i]);
    if (readBack > 0) {
      const method = (batch.end ? workload.verifyAtEnd : workload.verify)![readBack - 1]!.method;
      const when = batch.end ? `at the end of ${what}` : `after batch ${k + 1} of ${what}`;
      return {
        ok: false,
        message:
          `the read-back after timed batches differs from the reference's: \`${method}\` ${when} answered differently, ` +
          `so calls inside timed batches did not do what they do outside them`,
      };
    }
    if (theirs.digests[0] !== batch.digests[0]) mismatches.push({ batch: k, start, count: batch.count });
  }
  if (mismatches.length === 0) return { ok: true };
  const first = mismatches[0]!;
  const message = `results inside timed batches differ from the reference's: batch ${first.batch + 1} of ${what} (${first.count} calls)`;
  // Asked one at a time, each entry must answer what it answered in every pass: not so for advancing or chained arguments.
  const { advance, results, chain } = workload.measure;
  if (results !== 'consistent' || entries > MAX_OWN_ANSWERS || advance || chain) return { ok: false, message };
  return { ok: 'ask', mismatches, message };
}

/**
 * The second step for batches whose results differ from the reference's (the candidate's turn):
 * the candidate's own answers, one call at a time on a structure built the same way, must be
 * what those batches answered. Undefined when they are; otherwise why not.
 */
export async function askCandidate(
  candidate: SubjectProcess,
  record: TimedRecord,
  outcome: { mismatches: Mismatch[]; message: string },
  deadline: number,
): Promise<string | undefined> {
  const workloadTimer = new WorkloadTimer(candidate, deadline, false);
  const built = await workloadTimer.build(record.workload, CANDIDATE_SETUP_TIMEOUT_MS);
  const { method, argsList } = record.workload.measure;
  const own: number[] = [];
  for (const args of argsList) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AnswerTimeoutError(`a call outside timing ran longer than ${OWN_ANSWER_TIMEOUT_MS} ms`)),
        OWN_ANSWER_TIMEOUT_MS,
      );
    });
    const call = built.instance ? built.instance.call(method, ...args) : candidate.call(method, ...args);
    try {
      own.push(hashResult(await Promise.race([call, timedOut]), isPlainData));
    } finally {
      clearTimeout(timer);
    }
  }
  await workloadTimer.release(built);
  const schedule = record.schedule;
  for (const m of outcome.mismatches)
    if (digestOf(own, m.start, m.count) !== schedule[m.batch]!.digests[0])
      return `${outcome.message}, and from what your code answers to the same calls outside timing`;
  return undefined;
}

/** The digest a batch of `count` calls from entry `start` has when each entry answers `hashes[entry]`. */
export function digestOf(hashes: readonly number[], start: number, count: number): number {
  let d = DIGEST_START;
  let at = start;
  for (let k = 0; k < count; k++) {
    d = addToDigest(d, hashes[at]!);
    if (++at === hashes.length) at = 0;
  }
  return d;
}
