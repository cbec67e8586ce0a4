/**
 * The package validator: checks a package's structure, then grades its reference solution, its
 * starter code and every known-verdict submission (`submissions/<verdict>/`) through the grader it
 * is given, and reports each mismatch.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Language, ProblemPackage, Result, SourceFile } from '@assay/contracts';
import { importSuitesBundle, type Suites } from '@assay/sdk';

export type GradeFn = (req: { problem: ProblemPackage; language: Language; files: SourceFile[] }) => Promise<Result>;

export interface ValidationCheck {
  /** What was checked, e.g. `submissions/partial/array-indexof.ts`. */
  subject: string;
  ok: boolean;
  expected: string;
  got: string;
}

export interface ValidationReport {
  problemId: string;
  ok: boolean;
  checks: ValidationCheck[];
}

/** Structural checks that need no grading: the suites match the manifest. */
export async function checkStructure(pkg: ProblemPackage): Promise<ValidationCheck[]> {
  const m = pkg.manifest;
  const checks: ValidationCheck[] = [];
  const check = (subject: string, ok: boolean, expected: string, got: string) => checks.push({ subject, ok, expected, got });
  let suites: Suites;
  try {
    suites = await importSuitesBundle(pkg.suitesBundle);
  } catch (e) {
    check('suites.ts', false, 'a default export from defineSuites()', (e as Error).message);
    return checks;
  }
  const samples = suites.correctness.filter((t) => t.sample).length;
  check(
    'suites.ts correctness',
    suites.correctness.length > samples && samples > 0,
    'sample tests and hidden tests',
    `${samples} sample, ${suites.correctness.length - samples} hidden`,
  );
  if (m.suites.stress)
    check(
      'suites.ts stress',
      (suites.stress?.length ?? 0) > 0,
      'stress tests (the manifest weighs a stress suite)',
      `${suites.stress?.length ?? 0}`,
    );
  if (m.suites.latency)
    check(
      'suites.ts latency',
      (suites.latency?.length ?? 0) > 0,
      'latency benchmarks (the manifest weighs a latency suite)',
      `${suites.latency?.length ?? 0}`,
    );
  const probed = (suites.complexity ?? []).map((p) => p.operation).sort();
  const declared = m.complexity.map((c) => c.operation).sort();
  if (m.suites.complexity || probed.length || declared.length)
    check(
      'complexity probes',
      JSON.stringify(probed) === JSON.stringify(declared) && probed.length > 0,
      `probes for ${declared.join(', ') || '(none declared)'}`,
      probed.join(', ') || '(none)',
    );
  check(
    'statement.md',
    pkg.statement.trim().length > 200,
    'a statement a candidate can work from',
    `${pkg.statement.trim().length} characters`,
  );
  const verdicts = new Set(pkg.knownSubmissions.map((s) => s.verdict));
  check(
    'known-verdict submissions',
    verdicts.has('accepted') && verdicts.has('wrong_answer'),
    'submissions/accepted/ and submissions/wrong_answer/ hold at least one file each',
    [...verdicts].join(', ') || '(none)',
  );
  return checks;
}

function describe(r: Result): string {
  const classes = r.complexity.map((c) => `${c.operation}=${c.class}`).join(' ');
  return `${r.verdict} ${r.score}${classes ? ` [${classes}]` : ''} — ${r.summary}`;
}

/** For a verdict that differs from the expected one: the first tests that did not pass, and why. */
function whyNot(r: Result): string {
  const failed = r.suites.flatMap((s) => s.tests.filter((t) => t.status !== 'passed').map((t) => `${t.name} (${t.status}): ${t.message}`));
  return failed.length ? `; ${failed.slice(0, 3).join('; ')}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}` : '';
}

export async function validatePackage(
  pkg: ProblemPackage,
  grade: GradeFn,
  onLine: (line: string) => void = () => undefined,
): Promise<ValidationReport> {
  const m = pkg.manifest;
  const checks = await checkStructure(pkg);
  const record = (c: ValidationCheck) => {
    checks.push(c);
    onLine(`${c.ok ? 'ok  ' : 'FAIL'} ${m.id}: ${c.subject}: ${c.ok ? c.got : `expected ${c.expected}, got ${c.got}`}`);
  };
  for (const c of checks)
    onLine(`${c.ok ? 'ok  ' : 'FAIL'} ${m.id}: ${c.subject}: ${c.ok ? c.got : `expected ${c.expected}, got ${c.got}`}`);
  if (checks.some((c) => !c.ok)) return { problemId: m.id, ok: false, checks };

  const ref = await grade({ problem: pkg, language: pkg.reference.language, files: pkg.reference.files });
  const refOk = ref.verdict === 'accepted' && ref.score === 100;
  record({ subject: m.reference.path, ok: refOk, expected: 'accepted 100', got: describe(ref) + (refOk ? '' : whyNot(ref)) });
  const wrongComplexity = ref.complexity.filter((c) => c.class !== c.expected);
  if (wrongComplexity.length)
    record({
      subject: `${m.reference.path} complexity`,
      ok: false,
      expected: m.complexity.map((c) => `${c.operation}=${c.expected}`).join(' '),
      got: describe(ref),
    });

  for (const lang of m.languages) {
    const starter = pkg.starter[lang]!;
    const r = await grade({ problem: pkg, language: lang, files: [starter] });
    record({
      subject: `starter/${starter.path}`,
      ok: r.verdict !== 'accepted' && r.verdict !== 'compile_error' && r.verdict !== 'internal_error',
      expected: 'compiles and is not accepted',
      got: describe(r),
    });
  }

  for (const s of pkg.knownSubmissions) {
    const file = { path: path.basename(s.path), content: await readFile(path.join(pkg.dir, s.path), 'utf8') };
    const r = await grade({ problem: pkg, language: s.language, files: [file] });
    const classesOk = Object.entries(s.complexity ?? {}).every(([op, cls]) => r.complexity.find((c) => c.operation === op)?.class === cls);
    const hintsOk = !s.complexity || r.complexity.some((c) => c.hint);
    const ok = r.verdict === s.verdict && classesOk && hintsOk && (s.verdict !== 'accepted' || r.score === 100);
    const expected = `${s.verdict}${
      s.complexity
        ? ` [${Object.entries(s.complexity)
            .map(([o, c]) => `${o}=${c}`)
            .join(' ')}] with a hint`
        : ''
    }`;
    record({ subject: s.path, ok, expected, got: describe(r) + (ok ? '' : whyNot(r)) });
  }
  return { problemId: m.id, ok: checks.every((c) => c.ok), checks };
}
