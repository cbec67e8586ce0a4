/**
 * The whole grading flow for one submission, in one place: check the input, build the payload,
 * run the driver in a fresh locked-down container, stream its progress, validate its report,
 * add what the host saw (OOM, wall clock) and the static hints, decide the verdict.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import pino, { type Logger } from 'pino';
import {
  type ProblemPackage,
  type SourceFile,
  RESULT_SCHEMA_VERSION,
  ResultSchema,
  SubmissionFilesSchema,
  type Language,
  type ProgressEvent,
  type Result,
} from '@assay/contracts';
import { markStaticHints } from './analysis/staticHints';
import { SourceAnalyzer, type HintsOutcome, type TypeCheckOutcome } from './analysis/SourceAnalyzer';
import { DriverFrameSchema, earlyStartOf, FRAME_PREFIX, IMAGE_PATHS, type DriverPayload, type DriverReport } from '@assay/container/wire';
import { ContainerReaper, RunnerImage, SandboxRunner, SandboxUnavailableError, type RunOutcome } from './runner';
import { fnv1a } from '@assay/sdk';
import { storable } from './storable';
import { decideVerdict } from './verdict';

export const GRADER_VERSION = '0.1.0';

/** Memory the driver (and the reference solution) need on top of the problem's limit. */
const DRIVER_MEMORY_MB = 256;
/** Wall time the container gets beyond the problem's limit, for start-up and clean-up. */
const CONTAINER_GRACE_MS = 8000;
/** No grading lasts this long (the manifest caps wallMs at 10 minutes). */
const MAX_CONTAINER_AGE_MS = 30 * 60 * 1000;
/** Frames are small; a driver printing more than this is broken. */
const FRAME_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface GraderOptions {
  logger?: Logger;
  dockerSocket?: string;
  onImageBuild?: (line: string) => void;
}

export interface GradeRequest {
  problem: ProblemPackage;
  language: Language;
  files: SourceFile[];
  queuedAt?: string;
  /** Seeds every test; fixed per problem version by default so every grading sees the same tests. */
  seed?: number;
}

export interface GradeOptions {
  submissionId?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops the sandbox at once; the result is an internal_error (the job runs again). */
  signal?: AbortSignal;
}

/** The request itself is wrong (the caller's fault): nothing was run. */
export class GradeInputError extends Error {
  override readonly name = 'GradeInputError';
}

export class Grader {
  private constructor(
    private readonly docker: Docker,
    private readonly runner: SandboxRunner,
    private readonly reaper: ContainerReaper,
    private readonly images: RunnerImage,
    private image: string,
    private readonly logger: Logger,
    private readonly analyzer = new SourceAnalyzer(),
  ) {}

  /** Connects to Docker, builds the runner image if it is missing, removes leftover containers. */
  static async create(opts: GraderOptions = {}): Promise<Grader> {
    const logger = opts.logger ?? pino({ level: 'silent' });
    const docker = new Docker(opts.dockerSocket ? { socketPath: opts.dockerSocket } : {});
    try {
      await docker.ping();
    } catch (e) {
      throw new Error(`Docker is not reachable (${(e as Error).message}): start it with \`bash scripts/ensure-docker.sh\``);
    }
    const images = new RunnerImage(docker);
    const image = await images.ensure(opts.onImageBuild);
    const grader = new Grader(docker, new SandboxRunner(docker, logger), new ContainerReaper(docker, logger), images, image, logger);
    await grader.reapOrphans();
    // Parse the TypeScript libraries now, not during the first submission.
    void grader.analyzer.typeCheck([{ path: 'warm-up.ts', content: 'export {};\n' }]);
    return grader;
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  /**
   * Throws `SandboxUnavailableError` unless the engine answers and holds the runner image (a
   * missing one is rebuilt here, from local material, when the engine is back).
   */
  async checkSandbox(onImageBuild?: (line: string) => void): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new SandboxUnavailableError(`the Docker engine does not answer: ${(err as Error).message}`, { cause: err });
    }
    try {
      this.image = await this.images.ensure(onImageBuild, { recheck: true });
    } catch (err) {
      throw new SandboxUnavailableError(`the runner image is missing and could not be built: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * After the engine came back: removes this grader's containers whose run already ended (an
   * engine restart leaves them `Created` or exited, and the runner could not remove them), and
   * orphans of dead graders. Never a run in progress.
   */
  async sweepAfterOutage(): Promise<number> {
    return this.reaper.reap({ orphansOnly: true, olderThanMs: MAX_CONTAINER_AGE_MS, ownExcept: this.runner.activeContainers() });
  }

  /**
   * Removes containers left behind by a grader that died mid-run, and any older than a grading
   * can last; never a live grader's running containers.
   */
  async reapOrphans(): Promise<number> {
    return this.reaper.reap({ orphansOnly: true, olderThanMs: MAX_CONTAINER_AGE_MS });
  }

  async close(): Promise<void> {
    await this.analyzer.close();
  }

  async grade(req: GradeRequest, opts: GradeOptions = {}): Promise<Result> {
    const startedAt = new Date().toISOString();
    const { manifest } = req.problem;
    const log = this.logger.child({ submissionId: opts.submissionId ?? null, problemId: manifest.id });
    const files = checkInput(req);
    const payload: DriverPayload = {
      nonce: randomBytes(16).toString('hex'),
      seed: req.seed ?? seedFor(manifest.id, manifest.version),
      manifest,
      suitesBundle: req.problem.suitesBundle,
      candidate: { language: req.language, files, entry: manifest.entry[req.language]! },
      // The timing suites check every timed result against the reference's, and time it next to the candidate.
      reference:
        manifest.suites.latency || manifest.suites.complexity
          ? { ...req.problem.reference, entry: req.problem.reference.files[0]!.path }
          : null,
    };

    let report: DriverReport | undefined;
    let internal: string | undefined;
    const prefix = `${FRAME_PREFIX}${payload.nonce} `;
    const onStdoutLine = (line: string) => {
      if (!line.startsWith(prefix)) return;
      const frame = DriverFrameSchema.safeParse(safeJson(line.slice(prefix.length)));
      if (!frame.success) {
        internal = `the driver sent a malformed frame: ${frame.error.message.slice(0, 300)}`;
        return;
      }
      const f = frame.data;
      if (f.type === 'progress') opts.onProgress?.(f.event);
      else if (f.type === 'report') report = f.report;
      else internal = f.message;
    };

    log.info({ language: req.language, files: files.length }, 'grading started');
    // Types are checked (esbuild in the sandbox only strips them) and hints found on the host while the sandbox runs.
    const typeCheck: Promise<TypeCheckOutcome> =
      req.language === 'typescript' ? this.analyzer.typeCheck(files) : Promise.resolve({ ok: true, diagnostics: [] });
    const hints = this.analyzer.staticHints(files);
    const run = await this.runner.run({
      image: this.image,
      cmd: [IMAGE_PATHS.node, IMAGE_PATHS.driver, JSON.stringify(earlyStartOf(manifest))],
      stdin: JSON.stringify(payload),
      memoryMb: manifest.limits.memoryMb + DRIVER_MEMORY_MB,
      wallMs: manifest.limits.wallMs + CONTAINER_GRACE_MS,
      outputBytes: FRAME_OUTPUT_BYTES,
      submissionId: opts.submissionId,
      labels: { 'assay.problem': manifest.id },
      onStdoutLine,
      signal: opts.signal,
    });
    if (run.aborted) internal = 'the grading was aborted (its worker is shutting down); it will run again';
    if (!report && !internal && !run.timedOut && !run.oomKilled)
      internal = `the driver exited (code ${run.exitCode}) without a report: ${run.stderr.slice(-1000)}`;
    if (internal) log.error({ internal, exitCode: run.exitCode }, 'grading failed internally');
    // An internal error is retried whatever the analysis says: it need not be waited for.
    const skipped = { ok: false, reason: 'not needed: the grading failed internally' } as const;
    const types = internal ? skipped : await typeCheck;
    if (!types.ok && !internal) log.warn({ reason: types.reason }, 'type check could not run; the submission is graded without it');
    if (report && types.ok && types.diagnostics.length > 0 && (report as DriverReport).compile.ok)
      report = withTypeErrors(report, types.diagnostics);
    const found = internal ? skipped : await hints;
    if (!found.ok && !internal) log.warn({ reason: found.reason }, 'static hints could not be found; the result has none');

    // One pass over every string: PostgreSQL's jsonb refuses NUL characters and lone surrogates.
    const result = storable(assembleResult(req, report, run, internal, startedAt, found));
    log.info({ verdict: result.verdict, score: result.score, wallMs: result.resources.wallMs }, 'grading finished');
    opts.onProgress?.({ stage: 'finished', verdict: result.verdict, score: result.score });
    return ResultSchema.parse(result);
  }
}

/** The result: the verdict, then everything the driver reported and the host saw. */
function assembleResult(
  req: GradeRequest,
  report: DriverReport | undefined,
  run: RunOutcome,
  internal: string | undefined,
  startedAt: string,
  hints: HintsOutcome,
): Result {
  const { manifest } = req.problem;
  const decision = decideVerdict(report, run, internal);
  const complexity = report?.complexity ?? [];
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    verdict: decision.verdict,
    score: decision.score,
    summary: decision.summary,
    problem: { id: manifest.id, version: manifest.version },
    language: req.language,
    suites: report?.suites ?? [],
    latency: report?.latency ?? [],
    complexity,
    staticHints: report?.compile.ok === false || !hints.ok ? [] : markStaticHints(hints.found, complexity),
    compile: report?.compile ?? { ok: true, diagnostics: [] },
    resources: {
      cpuMs: report?.cpuMs ?? run.cpuMs ?? 0,
      peakMemoryBytes: report?.peakMemoryBytes ?? run.peakMemoryBytes ?? 0,
      wallMs: Math.round(run.wallMs),
    },
    output: report?.output ?? { stdout: '', stderr: '', truncated: false },
    timings: { ...(req.queuedAt ? { queuedAt: req.queuedAt } : {}), startedAt, finishedAt: new Date().toISOString() },
    graderVersion: GRADER_VERSION,
  };
}

/** Type errors make the submission a compile error: what ran in the sandbox no longer counts. */
function withTypeErrors(report: DriverReport, diagnostics: DriverReport['compile']['diagnostics']): DriverReport {
  return {
    ...report,
    compile: { ok: false, diagnostics },
    suites: [],
    latency: [],
    complexity: [],
    faults: [{ kind: 'compile', message: 'the code does not type-check' }],
    output: { stdout: '', stderr: '', truncated: false },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A stable seed per problem version: every candidate of a version meets the same tests. */
function seedFor(id: string, version: string): number {
  return fnv1a(`${id}@${version}`);
}

/** Validates the files and names the entry file; throws GradeInputError saying what is wrong. */
function checkInput(req: GradeRequest): SourceFile[] {
  const { manifest } = req.problem;
  if (!manifest.languages.includes(req.language))
    throw new GradeInputError(`${manifest.id} accepts ${manifest.languages.join(', ')}, not ${req.language}`);
  const parsed = SubmissionFilesSchema.safeParse(req.files);
  if (!parsed.success)
    throw new GradeInputError(`bad files: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const entry = manifest.entry[req.language]!;
  const files = parsed.data;
  if (files.some((f) => f.path === entry)) return files;
  if (files.length === 1) return [{ path: entry, content: files[0]!.content }];
  throw new GradeInputError(`the entry file ${entry} is missing: name the file holding your solution ${entry}`);
}
