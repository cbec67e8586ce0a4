import { z } from 'zod';
import type { KnownSubmission, Manifest } from './manifest';
import type { Language } from './verdict';

/** One file of code: a submission's, a starter, a reference solution. Paths are checked where they enter. */
export const SourceFileSchema = z.object({ path: z.string(), content: z.string() });
export type SourceFile = z.infer<typeof SourceFileSchema>;

/** A problem package as loaded from disk or the database. Hidden tests live only in `suitesBundle`. */
export interface ProblemPackage {
  dir: string;
  manifest: Manifest;
  statement: string;
  starter: Partial<Record<Language, SourceFile>>;
  reference: { language: Language; files: SourceFile[] };
  /** The suites, bundled with the SDK into one self-contained ES module. */
  suitesBundle: string;
  /** Changes whenever the manifest, suites or reference change. */
  contentHash: string;
  /** The package's known-verdict submissions (read from `submissions/<verdict>/`); empty when loaded from the database. */
  knownSubmissions: KnownSubmission[];
}
