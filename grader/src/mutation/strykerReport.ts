/**
 * The part of StrykerJS's JSON report (the mutation-testing-report-schema, version 1 or 2) that
 * mutation testing reads: each mutant's id, place, mutator, replacement and status.
 */
import { z } from 'zod';

const PositionSchema = z.object({ line: z.number().int().min(1), column: z.number().int().min(1) });

const MutantSchema = z.object({
  id: z.string().min(1),
  mutatorName: z.string().min(1),
  replacement: z.string().optional(),
  location: z.object({ start: PositionSchema, end: PositionSchema }),
  status: z.enum(['Killed', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Timeout', 'Ignored', 'Pending']),
  statusReason: z.string().optional(),
});

export const StrykerReportSchema = z.object({
  schemaVersion: z.string().regex(/^[12](\.\d+){0,2}$/),
  files: z.record(z.string(), z.object({ source: z.string(), mutants: z.array(MutantSchema) })),
});

export type StrykerStatus = z.infer<typeof MutantSchema>['status'];

/** One mutant as Stryker reports it: the replaced code runs from line:column to endLine:endColumn (1-based, end exclusive). */
export interface ReportedMutant {
  id: string;
  file: string;
  mutator: string;
  /** The code the mutant replaces, on one line. */
  original: string;
  replacement: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  status: StrykerStatus;
}

/** The mutants of a report, in file then source order; throws when the report is not one. */
export function readStrykerReport(json: unknown): ReportedMutant[] {
  const parsed = StrykerReportSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`not a Stryker JSON report: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const mutants = Object.entries(parsed.data.files).flatMap(([file, { source, mutants }]) => {
    const lines = source.split('\n');
    return mutants.map((m) => ({
      id: m.id,
      file,
      mutator: m.mutatorName,
      original: oneLine(slice(lines, m.location.start, m.location.end)),
      replacement: oneLine(m.replacement ?? ''),
      line: m.location.start.line,
      column: m.location.start.column,
      endLine: m.location.end.line,
      endColumn: m.location.end.column,
      status: m.status,
    }));
  });
  return mutants.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || Number(a.id) - Number(b.id));
}

type Position = z.infer<typeof PositionSchema>;

function slice(lines: string[], start: Position, end: Position): string {
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [(lines[start.line - 1] ?? '').slice(start.column - 1), ...middle, (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join(
    '\n',
  );
}

function oneLine(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}
