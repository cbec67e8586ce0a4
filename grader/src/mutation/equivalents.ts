/**
 * A package's equivalent mutants, `problems/<id>/mutation.json`: mutants no test can kill because
 * they behave exactly like the reference, each with the reason, keyed by a signature that stays the
 * same from one run to the next (Stryker's ids do not).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ReportedMutant } from './strykerReport';

export const EQUIVALENTS_FILE = 'mutation.json';

/**
 * `<mutator>@<line>:<column>-<endLine>:<endColumn> <replacement>`, e.g. `EqualityOperator@12:9-12:14 i <= n`:
 * the end too, since `a || b || c` and `a || b` both start at `a` and both become `false`.
 */
const SIGNATURE = /^[A-Za-z]+@\d+:\d+-\d+:\d+ \S/;

export const EquivalentsFileSchema = z
  .object({
    equivalent: z
      .record(z.string(), z.string().trim().min(1, 'say in one line why the mutant behaves like the reference'))
      .superRefine((entries, ctx) => {
        // Checked here rather than as the record's key schema, whose issue would not name the key's problem.
        for (const key of Object.keys(entries))
          if (!SIGNATURE.test(key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'must be a mutant signature: <mutator>@<line>:<column>-<endLine>:<endColumn> <replacement>',
            });
      }),
  })
  .strict();

/** The package's equivalence file is there but wrong: a usage error, not a mutation result. */
export class EquivalentsFileError extends Error {
  override readonly name = 'EquivalentsFileError';
}

export function signatureOf(m: Pick<ReportedMutant, 'mutator' | 'line' | 'column' | 'endLine' | 'endColumn' | 'replacement'>): string {
  return `${m.mutator}@${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.replacement.replace(/\s+/g, ' ').trim()}`;
}

/** Signature → reason; empty when the package has no equivalence file. */
export async function loadEquivalents(packageDir: string): Promise<Map<string, string>> {
  const file = path.join(packageDir, EQUIVALENTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new EquivalentsFileError(`${file} is not readable: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EquivalentsFileError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = EquivalentsFileSchema.safeParse(json);
  if (!parsed.success)
    throw new EquivalentsFileError(
      `${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return new Map(Object.entries(parsed.data.equivalent));
}
