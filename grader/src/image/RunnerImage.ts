/**
 * The runner image, built offline (no registry is reachable): a `FROM scratch` image holding the
 * host's node binary and the libraries it links, the driver/subject bundles and esbuild.
 * Tagged by a hash of everything that goes in, so an unchanged tree costs one image lookup.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { build } from 'esbuild';
import { IMAGE_PATHS } from '@assay/container/wire';

const execFileAsync = promisify(execFile);

export const RUNNER_REPOSITORY = 'assay-runner';

/**
 * npm packages service problems may import (a manifest's `allowedPackages` must be among them):
 * copied with their dependencies into /node_modules, where the candidate's bundle resolves them.
 * Nothing is installed at grading time.
 */
export const SERVICE_PACKAGES = ['express'] as const;

/** The in-container programs, bundled from @assay/container. */
const CONTAINER_ENTRIES = {
  driver: containerEntry('@assay/container/driver'),
  subject: containerEntry('@assay/container/subject/javascript'),
};

function containerEntry(specifier: string): string {
  return createRequire(import.meta.url).resolve(specifier);
}

/** The offline image's Dockerfile; its text is part of the content hash. */
const SCRATCH_DOCKERFILE = `# Built by grader/src/image/RunnerImage.ts from local material (no registry needed).
FROM scratch
COPY rootfs/ /
LABEL assay.runner=1
WORKDIR /
CMD ["${IMAGE_PATHS.node}", "${IMAGE_PATHS.driver}"]
`;

/** Some bundled dependencies call require() on node built-ins; ESM output has no require. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __assayCreateRequire } from 'node:module';\n" + 'const require = __assayCreateRequire(import.meta.url);';

export interface RunnerImageOptions {
  /** Entry points of the in-container runtime (defaults: container/src/driver/driver.ts, container/src/subject/javascript.ts). */
  driverEntry?: string;
  subjectEntry?: string;
  /** The node binary to copy in (default: the one running us). */
  nodeBinary?: string;
}

interface FileInput {
  /** Absolute path inside the image. */
  imagePath: string;
  /** Where to read it on the host (symlinks are followed; the mode is kept). */
  hostPath: string;
}

export class RunnerImage {
  private readonly driverEntry: string;
  private readonly subjectEntry: string;
  private readonly nodeBinary: string;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly docker: Docker,
    options: RunnerImageOptions = {},
  ) {
    this.driverEntry = options.driverEntry ?? CONTAINER_ENTRIES.driver;
    this.subjectEntry = options.subjectEntry ?? CONTAINER_ENTRIES.subject;
    this.nodeBinary = options.nodeBinary ?? process.execPath;
  }

  /** Returns the tag of an image matching the current sources, building it on first use. */
  ensure(onProgress?: (line: string) => void, opts: { recheck?: boolean } = {}): Promise<string> {
    // One build per process even when many callers ask at once; a failure may be retried.
    this.pending ??= this.ensureOnce(onProgress).catch((err: unknown) => {
      this.pending = undefined;
      throw err;
    });
    if (!opts.recheck) return this.pending;
    // The engine may have lost the image since (removed, or a fresh data root): look again.
    return this.pending.then(async (tag) => {
      if (await this.exists(tag)) return tag;
      if (this.pending) this.pending = undefined;
      return this.ensure(onProgress);
    });
  }

  /** Removes other `assay-runner:*` tags (images still used by a container are left alone). */
  async pruneOthers(keepTag: string): Promise<number> {
    const images = await this.docker.listImages({
      filters: JSON.stringify({ reference: [`${RUNNER_REPOSITORY}:*`] }),
    });
    let removed = 0;
    for (const image of images) {
      for (const tag of image.RepoTags ?? []) {
        if (tag === keepTag || !tag.startsWith(`${RUNNER_REPOSITORY}:`)) continue;
        try {
          await this.docker.getImage(tag).remove();
          removed++;
        } catch {
          // In use or already gone: not ours to force.
        }
      }
    }
    return removed;
  }

  private async ensureOnce(onProgress?: (line: string) => void): Promise<string> {
    const [driver, subject] = await Promise.all([this.bundle(this.driverEntry), this.bundle(this.subjectEntry)]);
    const files = await this.hostFiles();
    const tag = `${RUNNER_REPOSITORY}:${await this.contentHash(files, driver, subject)}`;
    if (await this.exists(tag)) return tag;

    onProgress?.(`building runner image ${tag}… (first use)`);
    const context = await mkdtemp(join(tmpdir(), 'assay-runner-'));
    try {
      await this.writeContext(context, files, driver, subject);
      await this.build(context, tag, onProgress);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    onProgress?.(`built runner image ${tag}`);
    return tag;
  }

  private async bundle(entry: string): Promise<string> {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      banner: { js: ESM_REQUIRE_BANNER },
      logLevel: 'silent',
    });
    const out = result.outputFiles[0];
    if (!out) throw new Error(`esbuild produced no output for ${entry}`);
    return out.text;
  }

  /** node, its shared libraries and loader (at the paths ldd reports), and esbuild. */
  private async hostFiles(): Promise<FileInput[]> {
    const files: FileInput[] = [
      { imagePath: IMAGE_PATHS.node, hostPath: this.nodeBinary },
      { imagePath: IMAGE_PATHS.esbuild, hostPath: esbuildBinary() },
    ];
    for (const lib of await sharedLibraries(this.nodeBinary)) {
      files.push({ imagePath: lib, hostPath: lib });
    }
    for (const dir of await packageClosure(SERVICE_PACKAGES)) {
      // Keep the layout under the outermost node_modules (nested versions stay nested).
      const inImage = dir.slice(dir.indexOf('/node_modules/'));
      for (const file of await filesUnder(dir)) files.push({ imagePath: `${inImage}${file.slice(dir.length)}`, hostPath: file });
    }
    return files;
  }

  /** Binaries hashed by path+size+mtime (cheap); bundles and Dockerfile by their text. */
  private async contentHash(files: FileInput[], driver: string, subject: string): Promise<string> {
    const hash = createHash('sha256');
    hash.update(SCRATCH_DOCKERFILE).update('\0').update(process.version).update('\0');
    for (const f of files) {
      const s = await stat(f.hostPath);
      hash.update(`${f.imagePath}\0${f.hostPath}\0${s.size}\0${s.mtimeMs}\0`);
    }
    hash.update(driver).update('\0').update(subject);
    return hash.digest('hex').slice(0, 12);
  }

  private async exists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  private async writeContext(context: string, files: FileInput[], driver: string, subject: string): Promise<void> {
    const rootfs = join(context, 'rootfs');
    await writeFile(join(context, 'Dockerfile'), SCRATCH_DOCKERFILE);
    for (const f of files) {
      const target = join(rootfs, f.imagePath);
      await mkdir(dirname(target), { recursive: true });
      await linkOrCopy(f.hostPath, target);
    }
    for (const [imagePath, text] of [
      [IMAGE_PATHS.driver, driver],
      [IMAGE_PATHS.subject, subject],
    ] as const) {
      const target = join(rootfs, imagePath);
      await mkdir(dirname(target), { recursive: true });
      // Readable by the candidate/reference uids: the subject runs as them.
      await writeFile(target, text, { mode: 0o644 });
    }
    // Parent of the tmpfs mounts; the mount points themselves are created by Docker.
    await mkdir(join(rootfs, 'sandbox'), { mode: 0o755 });
  }

  private async build(context: string, tag: string, onProgress?: (line: string) => void) {
    const stream = await this.docker.buildImage({ context, src: ['Dockerfile', 'rootfs'] }, { t: tag, rm: true, forcerm: true });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, events: Array<{ error?: string }>) => {
          const failed = err ?? events.find((e) => e.error)?.error;
          if (failed) reject(new Error(`runner image build failed: ${String(failed)}`));
          else resolve();
        },
        (event: { stream?: string }) => {
          const line = event.stream?.trim();
          if (line) onProgress?.(line);
        },
      );
    });
  }
}

/** The esbuild native binary of the installed esbuild package, resolved like node would. */
export function esbuildBinary(): string {
  const require = createRequire(import.meta.url);
  const esbuildMain = require.resolve('esbuild');
  const fromEsbuild = createRequire(esbuildMain);
  const pkg = fromEsbuild.resolve(`@esbuild/${process.platform}-${process.arch}/package.json`);
  return join(dirname(pkg), 'bin', 'esbuild');
}

/** The shared libraries and dynamic loader `ldd` lists for a binary (absolute paths). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary]);
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) libs.push(match[1]);
    else if (line.includes('not found')) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  if (!libs.some((l) => l.includes('ld-linux'))) throw new Error(`ldd ${binary}: no dynamic loader`);
  return libs;
}

/** Hard link when on the same filesystem (no 100 MB copy), else copy; symlinks are followed. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  const source = await realpath(from);
  try {
    await link(source, to);
  } catch {
    await copyFile(source, to);
  }
}

/** The folders of `names` and of everything they depend on, resolved the way Node does. */
export async function packageClosure(names: readonly string[], from = fileURLToPath(new URL('.', import.meta.url))): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (name: string, fromDir: string): Promise<void> => {
    const dir = await locatePackage(name, fromDir);
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) await visit(dep, dir);
  };
  for (const name of names) await visit(name, from);
  return [...found];
}

async function locatePackage(name: string, fromDir: string): Promise<string> {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    try {
      if ((await stat(join(candidate, 'package.json'))).isFile()) return await realpath(candidate);
    } catch {
      /* keep walking up */
    }
    if (dir === dirname(dir)) throw new Error(`package ${name} is not installed (needed by the runner image): run npm install`);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
