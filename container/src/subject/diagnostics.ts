/** Compile diagnostics in `file:line:column` form (1-based), from esbuild's text output. */
import type { Diagnostic } from '@assay/contracts';

const HEADER = /\[ERROR\]\s+(.*)$/;
const LOCATION = /^\s+(.+?):(\d+):(\d+):\s*$/;

export function parseEsbuildDiagnostics(stderr: string, fallback = ''): Diagnostic[] {
  const out: Diagnostic[] = [];
  let current: Diagnostic | undefined;
  for (const line of stderr.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      current = { file: '', line: 0, column: 0, message: header[1]!.trim() };
      out.push(current);
      continue;
    }
    const loc = LOCATION.exec(line);
    if (loc && current && current.file === '') {
      current.file = loc[1]!.replace(/^src\//, '');
      current.line = Number(loc[2]);
      current.column = Number(loc[3]) + 1;
    }
  }
  if (out.length === 0)
    out.push({ file: '', line: 0, column: 0, message: (stderr.trim() || fallback || 'compilation failed').slice(0, 2000) });
  return out.slice(0, 50);
}

export function formatDiagnostic(d: Diagnostic): string {
  return d.file ? `${d.file}:${d.line}:${d.column}: ${d.message}` : d.message;
}
