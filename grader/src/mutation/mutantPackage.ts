/**
 * What a mutant of a package's reference solution is graded as: the package with only its
 * correctness and stress suites, and the instrumented reference with one mutant switched on.
 */
import type { ProblemPackage } from '@assay/contracts';

/** Where Stryker's instrumented code looks for its active mutant: `globalThis.__stryker__.activeMutant`. */
const STRYKER_NAMESPACE = '__stryker__';
/** The header Stryker puts in every instrumented file; it reads the namespace above once, at load. */
const NAMESPACE_HELPER = 'function stryNS_9fa48(';
const MUTANT_SWITCH = /stryMutAct_9fa48\("([^"\\]+)"\)/g;

/**
 * The package with only its correctness and stress suites, weights scaled to 100. Latency and
 * complexity judge speed next to the reference: slow, and a mutant they catch says nothing about
 * what the tests check.
 */
export function forMutationTesting(pkg: ProblemPackage): ProblemPackage {
  const { correctness, stress } = pkg.manifest.suites;
  const total = correctness.weight + (stress?.weight ?? 0);
  const stressWeight = stress && total > 0 ? (stress.weight * 100) / total : 0;
  const suites = { correctness: { weight: 100 - stressWeight }, ...(stress ? { stress: { weight: stressWeight } } : {}) };
  return { ...pkg, manifest: { ...pkg.manifest, suites, complexity: [] } };
}

/**
 * The instrumented source with `mutantId` active (none for `null`). Stryker's command runner passes
 * the id in `__STRYKER_ACTIVE_MUTANT__`, but the candidate's process in the sandbox starts with a
 * clean environment, so the id goes into the code itself, on the header's line (line numbers stay).
 */
export function activateMutant(instrumented: string, mutantId: string | null): string {
  const at = instrumented.indexOf(NAMESPACE_HELPER);
  if (at < 0) throw new Error('the source is not instrumented by Stryker (its namespace helper is missing)');
  if (mutantId === null) return instrumented;
  if (!/^[\w-]+$/.test(mutantId)) throw new Error(`"${mutantId}" is not a Stryker mutant id`);
  const activation = `globalThis.${STRYKER_NAMESPACE} = { activeMutant: ${JSON.stringify(mutantId)} }; `;
  return instrumented.slice(0, at) + activation + instrumented.slice(at);
}

/** How many mutants an instrumented source can switch on. */
export function countMutants(instrumented: string): number {
  return new Set([...instrumented.matchAll(MUTANT_SWITCH)].map((m) => m[1])).size;
}
