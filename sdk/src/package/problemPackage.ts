import { readFile, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  KNOWN_SUBMISSION_PATH,
  KnownSubmissionSchema,
  languageOfPath,
  ManifestSchema,
  PROBLEM_ID_PATTERN,
  type KnownSubmission,
  type Manifest,
  type ProblemPackage,
  type SourceFile,
} from '@assay/contracts';
import { importSuitesBundle } from '../bundle';

/** Folder holding one sub-folder per problem package. */
export const PROBLEMS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../problems');
/** The SDK suites are bundled with. */
const SDK_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../index.ts');

export class ProblemPackageError extends Error {
  override readonly name = 'ProblemPackageError';
  constructor(
    readonly problemDir: string,
    message: string,
    /** `unknown`: there is no such package (or the id is not one); `broken`: it exists but does not load. */
    readonly reason: 'unknown' | 'broken' = 'broken',
  ) {
    super(`${path.basename(problemDir)}: ${message}`);
  }
}

const PACKAGE_SKIP = new Set(['sdk', 'src', 'node_modules']);

/** Ids of every package folder (those holding a problem.json). */
export async function listProblemIds(root = PROBLEMS_DIR): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || PACKAGE_SKIP.has(e.name)) continue;
    if (await exists(path.join(root, e.name, 'problem.json'))) ids.push(e.name);
  }
  return ids.sort();
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function readManifest(dir: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(dir, 'problem.json'), 'utf8'));
  } catch (e) {
    throw new ProblemPackageError(dir, `problem.json is not readable JSON (${(e as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ProblemPackageError(dir, `problem.json is invalid: ${issues}`);
  }
  if (parsed.data.id !== path.basename(dir))
    throw new ProblemPackageError(dir, `manifest id "${parsed.data.id}" must equal the folder name`);
  return parsed.data;
}

/** Bundles `suites.ts` with the SDK into one ES module the driver imports from memory. */
export async function bundleSuites(dir: string): Promise<string> {
  const entry = path.join(dir, 'suites.ts');
  if (!(await exists(entry))) throw new ProblemPackageError(dir, 'suites.ts is missing');
  try {
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      alias: { '@assay/sdk': SDK_ENTRY },
    });
    return out.outputFiles[0]!.text;
  } catch (e) {
    throw new ProblemPackageError(dir, `suites.ts does not build: ${(e as Error).message}`);
  }
}

async function readSource(dir: string, rel: string): Promise<SourceFile> {
  try {
    return { path: path.basename(rel), content: await readFile(path.join(dir, rel), 'utf8') };
  } catch {
    throw new ProblemPackageError(dir, `${rel} is missing`);
  }
}

const cache = new Map<string, Promise<ProblemPackage>>();

/** Loads (once per process) and checks a package; throws `ProblemPackageError` saying what is wrong. */
export function loadProblem(id: string, root = PROBLEMS_DIR): Promise<ProblemPackage> {
  if (!PROBLEM_ID_PATTERN.test(id)) return Promise.reject(new ProblemPackageError(id, 'not a problem id', 'unknown'));
  const key = path.join(root, id);
  let p = cache.get(key);
  if (!p) {
    p = readPackage(key);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

async function readPackage(dir: string): Promise<ProblemPackage> {
  if (!(await exists(path.join(dir, 'problem.json')))) throw new ProblemPackageError(dir, 'no such problem (no problem.json)', 'unknown');
  const manifest = await readManifest(dir);
  const statement = (await readSource(dir, 'statement.md')).content;
  const starter: ProblemPackage['starter'] = {};
  for (const lang of manifest.languages) starter[lang] = await readSource(dir, path.join('starter', manifest.entry[lang]!));
  const reference = { language: manifest.reference.language, files: [await readSource(dir, manifest.reference.path)] };
  const suitesBundle = await bundleSuites(dir);
  const knownSubmissions = await listKnownSubmissions(dir, manifest);
  const contentHash = createHash('sha256')
    .update(JSON.stringify(manifest))
    .update(suitesBundle)
    .update(JSON.stringify(reference))
    .digest('hex')
    .slice(0, 16);
  return { dir, manifest, statement, starter, reference, suitesBundle, contentHash, knownSubmissions };
}

/**
 * The known-verdict submissions under `submissions/<verdict>/`: the folder names the verdict, the
 * extension the language, and problem.json adds what a folder cannot say (a slow one's classes).
 */
async function listKnownSubmissions(dir: string, manifest: Manifest): Promise<KnownSubmission[]> {
  const root = path.join(dir, 'submissions');
  if (!(await exists(root))) return [];
  const out: KnownSubmission[] = [];
  for (const folder of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const verdict = KnownSubmissionSchema.shape.verdict.safeParse(folder.name);
    if (!folder.isDirectory() || !verdict.success)
      throw new ProblemPackageError(
        dir,
        `submissions/${folder.name} is not a verdict folder (${KnownSubmissionSchema.shape.verdict.options.join(', ')})`,
      );
    for (const file of (await readdir(path.join(root, folder.name))).sort()) {
      const rel = `submissions/${folder.name}/${file}`;
      const language = languageOfPath(file);
      if (!KNOWN_SUBMISSION_PATH.test(rel) || !language)
        throw new ProblemPackageError(dir, `${rel}: not a submission file (.ts, .js, .mjs or .cjs)`);
      const complexity = manifest.submissions[rel]?.complexity;
      out.push({ path: rel, language, verdict: verdict.data, ...(complexity ? { complexity } : {}) });
    }
  }
  for (const rel of Object.keys(manifest.submissions))
    if (!out.some((s) => s.path === rel)) throw new ProblemPackageError(dir, `problem.json describes ${rel}, which does not exist`);
  return out;
}

/** Names of a package's sample tests (never its hidden ones), from its trusted suites bundle. */
export async function sampleTestNames(pkg: Pick<ProblemPackage, 'suitesBundle'>): Promise<string[]> {
  const suites = await importSuitesBundle(pkg.suitesBundle);
  return [...suites.correctness, ...(suites.stress ?? [])].filter((t) => t.sample).map((t) => t.name);
}
