/** What `assay problems mutate` prints: progress lines (stderr), each package's result and a table (stdout). */
import path from 'node:path';
import type { JudgedMutant, MutationSummary } from '@assay/grader';
import type { GradedEvent } from './MutantGradingService';

export interface PackageOutcome {
  id: string;
  version: string;
  dir: string;
  suitesRevision?: string;
  durationMs: number;
  threshold: number;
  /** Set when the package could not be mutation-tested at all. */
  failure?: string;
  summary?: MutationSummary;
}

export function reached(o: PackageOutcome): boolean {
  return !o.failure && o.summary !== undefined && o.summary.counts.error === 0 && o.summary.score >= o.threshold;
}

export function progressLine(e: GradedEvent): string {
  const took = `${(e.ms / 1000).toFixed(1)} s`;
  if (e.mutant === null) return `  ${e.packageId}: initial run (no mutant active): ${e.verdict} (${took})`;
  const width = String(e.total).length;
  const what = e.verdict === 'accepted' ? 'SURVIVED' : e.verdict;
  return `  ${e.packageId} [${String(e.done).padStart(width)}/${e.total}] mutant ${e.mutant}: ${what} (${took})`;
}

export function packageReport(o: PackageOutcome): string {
  const took = `${Math.round(o.durationMs / 1000)} s`;
  if (o.failure || !o.summary) return `${o.id}@${o.version}: FAILED after ${took}: ${o.failure ?? 'no result'}\n`;
  const s = o.summary;
  const c = s.counts;
  const lines = [
    `${o.id}@${o.version}: ${c.killed} killed, ${c.timeout} timeout, ${c.survived} survived, ${c.equivalent} equivalent, ` +
      `${c.error} errors of ${s.mutants.length} mutants; mutation score ${s.score.toFixed(2)} % ` +
      `(threshold ${o.threshold} %): ${reached(o) ? 'ok' : 'BELOW THRESHOLD'} (${took})`,
  ];
  const list = (title: string, mutants: JudgedMutant[], withDetail: boolean) => {
    if (!mutants.length) return;
    lines.push(`  ${title} (${mutants.length}):`);
    for (const m of mutants) lines.push(`    ${mutantLine(o.dir, m)}${withDetail ? `  — ${m.detail}` : ''}`);
  };
  list('survived', byOutcome(s, 'survived'), false);
  list('errors (not graded; they count as not killed)', byOutcome(s, 'error'), true);
  list('equivalent', byOutcome(s, 'equivalent'), true);
  if (s.staleEquivalents.length) {
    lines.push(`  stale entries in ${shownPath(path.join(o.dir, 'mutation.json'))}:`);
    for (const st of s.staleEquivalents) lines.push(`    "${st.signature}": ${st.problem}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `file:line:column  Mutator  original → replacement`, the place clickable in an editor. */
export function mutantLine(dir: string, m: JudgedMutant): string {
  return `${shownPath(path.join(dir, m.file))}:${m.line}:${m.column}  ${m.mutator}  ${clip(m.original)} → ${clip(m.replacement)}`;
}

function clip(code: string): string {
  return code.length > 70 ? `${code.slice(0, 67)}...` : code;
}

export function table(outcomes: PackageOutcome[]): string {
  const w = Math.max(7, ...outcomes.map((o) => o.id.length));
  const head = `${'package'.padEnd(w)}  killed  timeout  survived  equivalent  errors    score`;
  const rows = outcomes.map((o) => {
    if (!o.summary) return `${o.id.padEnd(w)}  failed: ${o.failure ?? 'no result'}`.slice(0, 160);
    const c = o.summary.counts;
    const cells = [c.killed, c.timeout, c.survived, c.equivalent, c.error].map(String);
    const widths = [6, 7, 8, 10, 6];
    return `${o.id.padEnd(w)}  ${cells.map((x, i) => x.padStart(widths[i]!)).join('  ')}  ${o.summary.score.toFixed(2).padStart(6)} %`;
  });
  return `${[head, ...rows].join('\n')}\n`;
}

function byOutcome(s: MutationSummary, outcome: JudgedMutant['outcome']): JudgedMutant[] {
  return s.mutants.filter((m) => m.outcome === outcome);
}

function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
}
