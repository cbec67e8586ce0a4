/**
 * One package's mutation result: each mutant Stryker reported, judged by the verdict the grader gave
 * it, and the score. Killed means any verdict but `accepted`; a mutant the suites accept survived,
 * unless the package's equivalence file says it cannot be told from the reference.
 */
import type { Verdict } from '@assay/contracts';
import { signatureOf } from './equivalents';
import type { ReportedMutant } from './strykerReport';

export type MutantOutcome = 'killed' | 'timeout' | 'survived' | 'equivalent' | 'error';

/** What grading one mutant gave. */
export interface MutantGrading {
  verdict: Verdict;
  summary: string;
  ms: number;
}

export interface JudgedMutant extends ReportedMutant {
  signature: string;
  outcome: MutantOutcome;
  verdict?: Verdict;
  /** The verdict's summary, the equivalence reason, or what went wrong. */
  detail: string;
}

export interface StaleEquivalent {
  signature: string;
  reason: string;
  problem: string;
}

export interface MutationSummary {
  problemId: string;
  counts: Record<MutantOutcome, number>;
  /** Killed (timeouts included) over every mutant but the equivalent ones, in percent. */
  score: number;
  mutants: JudgedMutant[];
  staleEquivalents: StaleEquivalent[];
}

export function summarize(
  problemId: string,
  reported: ReportedMutant[],
  graded: ReadonlyMap<string, MutantGrading>,
  equivalents: ReadonlyMap<string, string>,
): MutationSummary {
  const mutants = reported.map((m) => judge(m, graded.get(m.id), equivalents));
  const counts: Record<MutantOutcome, number> = { killed: 0, timeout: 0, survived: 0, equivalent: 0, error: 0 };
  for (const m of mutants) counts[m.outcome]++;
  const relevant = mutants.length - counts.equivalent;
  const score = relevant === 0 ? 100 : Math.floor(((counts.killed + counts.timeout) / relevant) * 10000) / 100;
  return { problemId, counts, score, mutants, staleEquivalents: staleEquivalents(mutants, equivalents) };
}

function judge(m: ReportedMutant, grading: MutantGrading | undefined, equivalents: ReadonlyMap<string, string>): JudgedMutant {
  const signature = signatureOf(m);
  const base = { ...m, signature, ...(grading ? { verdict: grading.verdict } : {}) };
  // Stryker stopped waiting: the sandbox's own limits are set to end a grading before that.
  if (m.status === 'Timeout') return { ...base, outcome: 'timeout', detail: 'Stryker timed the grading out' };
  // An exit code alone proves nothing: only a verdict the grader gave counts as a kill.
  if (!grading) return { ...base, outcome: 'error', detail: `Stryker says ${m.status}, but no grading of it was recorded` };
  if (grading.verdict === 'internal_error') return { ...base, outcome: 'error', detail: grading.summary };
  if (grading.verdict === 'time_limit_exceeded') return { ...base, outcome: 'timeout', detail: grading.summary };
  if (grading.verdict !== 'accepted') return { ...base, outcome: 'killed', detail: grading.summary };
  const reason = equivalents.get(signature);
  return reason ? { ...base, outcome: 'equivalent', detail: reason } : { ...base, outcome: 'survived', detail: grading.summary };
}

/** Entries that match no mutant (the code moved, or the mutant is gone) or whose mutant a test kills. */
function staleEquivalents(mutants: JudgedMutant[], equivalents: ReadonlyMap<string, string>): StaleEquivalent[] {
  const bySignature = new Map(mutants.map((m) => [m.signature, m]));
  const stale: StaleEquivalent[] = [];
  for (const [signature, reason] of equivalents) {
    const m = bySignature.get(signature);
    if (!m) stale.push({ signature, reason, problem: 'matches no mutant' });
    else if (m.outcome !== 'equivalent')
      stale.push({ signature, reason, problem: `the mutant is ${m.outcome} (${m.verdict ?? 'no verdict'})` });
  }
  return stale;
}
