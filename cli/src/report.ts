import type { Result } from '@assay/contracts';

const MARK = { passed: '✓', failed: '✗', error: '!', timeout: '⧗', skipped: '-' } as const;

/** The human-readable report of a result. */
export function formatResult(r: Result): string {
  const lines: string[] = [];
  lines.push(`${r.problem.id}@${r.problem.version} · ${r.language} · ${r.verdict.toUpperCase()} · score ${r.score}/100`);
  lines.push(`  ${r.summary}`);
  for (const d of r.compile.diagnostics) lines.push(`  ${d.file}:${d.line}:${d.column}: ${d.message}`);
  for (const s of r.suites) {
    lines.push('', `${s.name} ${s.passed}/${s.total} (weight ${s.weight})`);
    for (const t of s.tests) {
      const tag = t.sample ? ' [sample]' : '';
      lines.push(`  ${MARK[t.status]} ${t.name}${tag} ${t.durationMs} ms${t.message && t.status !== 'passed' ? ` — ${t.message}` : ''}`);
      if (t.sample && t.status === 'failed' && t.expected !== undefined)
        lines.push(`      expected ${JSON.stringify(t.expected)}, got ${JSON.stringify(t.actual)}`);
    }
  }
  if (r.latency.length) {
    lines.push('', 'latency (p50 / p95 / p99)');
    for (const l of r.latency)
      lines.push(
        `  ${l.operation}: you ${l.candidate.p50}/${l.candidate.p95}/${l.candidate.p99} ${l.unit}, ` +
          `reference ${l.reference.p50}/${l.reference.p95}/${l.reference.p99} ${l.unit} → ${l.ratio}× ` +
          `(allowed ${l.allowedRatio}×)${l.error ? ` — ${l.error}` : ''}`,
      );
  }
  if (r.complexity.length) {
    lines.push('', 'complexity');
    for (const c of r.complexity) {
      lines.push(
        `  ${c.operation}: ${c.class} (expected ${c.expected}), exponent ${c.exponent} [${c.interval[0]}, ${c.interval[1]}] ` +
          `over n=${c.sizes[0] ?? '-'}…${c.sizes.at(-1) ?? '-'}`,
      );
      if (c.hint) lines.push(`    hint: ${c.hint}`);
    }
  }
  if (r.staticHints.length) {
    lines.push('', 'code hints');
    for (const h of r.staticHints) lines.push(`  ${h.file}:${h.line} ${h.pattern} (${h.status}): ${h.message}`);
  }
  if (r.output.stdout || r.output.stderr) {
    lines.push('', `your output during sample tests${r.output.truncated ? ' (truncated)' : ''}:`);
    for (const l of `${r.output.stdout}${r.output.stderr}`.trimEnd().split('\n').slice(0, 40)) lines.push(`  | ${l}`);
  }
  const mb = (r.resources.peakMemoryBytes / 1024 / 1024).toFixed(0);
  lines.push(
    '',
    `resources: wall ${(r.resources.wallMs / 1000).toFixed(1)} s, cpu ${(r.resources.cpuMs / 1000).toFixed(1)} s, ` +
      `peak memory ${mb} MB · grader ${r.graderVersion}`,
  );
  return `${lines.join('\n')}\n`;
}
