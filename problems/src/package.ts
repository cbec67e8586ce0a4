import { readFile, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ManifestSchema, type Language, type Manifest } from '@assay/schema';

/** Folder holding one sub-folder per problem package. */
export const PROBLEMS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SourceFile {
  path: string;
  content: string;
}

/** A problem package loaded from disk. Hidden tests live only in `suitesBundle`. */
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
}

export class ProblemPackageError extends Error {
  override readonly name = 'ProblemPackageError';
  constructor(readonly problemDir: string, message: string) {
    super(`${path.basename(problemDir)}: ${message}`);
  }
}

const PACKAGE_SKIP = new Set(['sdk', 'src', 'node_modules']);

/** Ids of every package folder (those holding a manifest.json). */
export async function listProblemIds(root = PROBLEMS_DIR): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || PACKAGE_SKIP.has(e.name)) continue;
    if (await exists(path.join(root, e.name, 'manifest.json'))) ids.push(e.name);
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
    raw = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    throw new ProblemPackageError(dir, `manifest.json is not readable JSON (${(e as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ProblemPackageError(dir, `manifest.json is invalid: ${issues}`);
  }
  if (parsed.data.id !== path.basename(dir)) throw new ProblemPackageError(dir, `manifest id "${parsed.data.id}" must equal the folder name`);
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
      alias: { '@assay/problems/sdk': path.join(PROBLEMS_DIR, 'sdk', 'index.ts') },
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
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) return Promise.reject(new ProblemPackageError(id, 'not a problem id'));
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
  if (!(await exists(path.join(dir, 'manifest.json')))) throw new ProblemPackageError(dir, 'no such problem (no manifest.json)');
  const manifest = await readManifest(dir);
  const statement = (await readSource(dir, 'statement.md')).content;
  const starter: ProblemPackage['starter'] = {};
  for (const lang of manifest.languages) starter[lang] = await readSource(dir, path.join('starter', manifest.entry[lang]!));
  const reference = { language: manifest.reference.language, files: [await readSource(dir, manifest.reference.path)] };
  const suitesBundle = await bundleSuites(dir);
  const contentHash = createHash('sha256')
    .update(JSON.stringify(manifest))
    .update(suitesBundle)
    .update(JSON.stringify(reference))
    .digest('hex')
    .slice(0, 16);
  return { dir, manifest, statement, starter, reference, suitesBundle, contentHash };
}

/** Reads one known-verdict solution's source. */
export async function readSolution(pkg: ProblemPackage, rel: string): Promise<SourceFile> {
  return readSource(pkg.dir, rel);
}
