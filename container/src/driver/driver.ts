/**
 * The driver: the trusted side inside the container. It reads the payload from stdin, starts
 * the candidate (uid 2000) and, for latency and complexity, the reference solution (uid 3000), runs the
 * problem's suites against them, and writes progress and the report as nonce-tagged frames on
 * its stdout — the only result channel, which no subject process can reach.
 */
import { importSuitesBundle, type HttpLatencyDef, type LatencyDef, type ProbeDef } from '@assay/sdk';
import type { ComplexityResult, LatencyResult, Manifest, ProgressEvent, SuiteName, SuiteResult, TestResult } from '@assay/contracts';
import { runProbe } from './ComplexityProbes';
import { ServiceHttpClient } from './HttpClient';
import { ReferenceLink } from './ReferenceLink';
import { runHttpLatency, runLatency, type ServiceSide } from './LatencyBench';
import {
  DriverPayloadSchema,
  EarlyStartSchema,
  earlyStartOf,
  FRAME_PREFIX,
  IMAGE_PATHS,
  UIDS,
  type CodeUnit,
  type DriverFrame,
  type DriverPayload,
  type DriverReport,
  type EarlyStart,
} from '../wire/payload';
import { Session, type SessionOptions } from './Session';
import { capReport } from '../wire/reportCaps';
import { OutputCapture } from './OutputCapture';
import { cgroupNumber } from './cgroup';
import { SubjectProcess } from './SubjectProcess';
import { TestRunner } from './TestRunner';

/** Time kept back from the wall limit to stop, report and clean up. */
const WALL_MARGIN_MS = 4000;
/**
 * Past the wall limit by this much (from the driver's start, about the container's), the driver
 * sends what it has (see main): the host kills the container CONTAINER_GRACE_MS (8 s) past the
 * limit, and a killed driver sends nothing at all.
 */
const WATCHDOG_GRACE_MS = 6000;
/** Compiling and importing the code (esbuild included) must finish within this. */
const LOAD_TIMEOUT_MS = 10_000;
/** Service problems: the port the candidate's server listens on (loopback); the reference listens on nothing (ReferenceLink). */
const CANDIDATE_PORT = 3000;

type Emit = (frame: DriverFrame) => void;

/** The report being built and the runner filling it, for the watchdog (see main). */
const soFar: { report?: DriverReport; runner?: TestRunner } = {};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function subjectOptions(
  who: 'candidate' | 'reference',
  shape: EarlyStart,
  output: OutputCapture,
): SessionOptions & { output: OutputCapture } {
  const common = {
    node: process.execPath,
    script: IMAGE_PATHS.subject,
    esbuild: IMAGE_PATHS.esbuild,
    uid: UIDS[who],
    // The heap limit trips before the container's memory limit, so a memory bomb is named as such.
    heapMb: Math.max(32, Math.floor(shape.memoryMb * 0.4)),
    output,
    role: who,
  };
  const service = shape.kind === 'service';
  // The reference stays below the candidate for the OOM killer (1000), and the problem's memory
  // limit is the candidate's alone: the container's extra room is for the driver and the reference.
  if (who === 'reference') return { ...common, dir: IMAGE_PATHS.referenceDir, oomScoreAdj: 0, noRestart: true, ipc: service };
  return {
    ...common,
    dir: IMAGE_PATHS.candidateDir,
    oomScoreAdj: 1000,
    memoryBudgetBytes: shape.memoryMb * 2 ** 20,
    ...(service ? { listenPort: CANDIDATE_PORT, env: { PORT: String(CANDIDATE_PORT), HOST: '127.0.0.1' } } : {}),
  };
}

interface Reference {
  session: Session;
  http: ServiceHttpClient | undefined;
}

/**
 * The reference solution, loaded and paused before any candidate code runs: its pids and memory
 * are taken while nothing competes, no uid-3000 process appears later for the candidate to
 * notice, and a failure here cannot be the candidate's doing (it is ours).
 */
async function startReference(payload: DriverPayload): Promise<Reference | undefined> {
  const { manifest, reference: unit } = payload;
  // Latency times the candidate next to the reference; both timing suites check every timed result against it.
  if (!manifest.suites.latency && !manifest.suites.complexity) return undefined;
  if (!unit) throw new Error('the problem has a latency or complexity suite but no reference solution was sent');
  const service = manifest.kind === 'service';
  const link = new ReferenceLink((socket) => session.handOver(socket));
  const opts = subjectOptions('reference', earlyStartOf(manifest), new OutputCapture(manifest.limits.outputBytes));
  const session = new Session({ ...opts, ...(service ? { beforeResume: () => link.verify() } : {}) }, unit);
  const loaded = await session.start(LOAD_TIMEOUT_MS);
  if (!loaded.ok) throw new Error(`the reference solution does not load: ${JSON.stringify(loaded).slice(0, 1000)}`);
  const http = service ? await link.client(CANDIDATE_PORT, manifest.limits.testTimeoutMs) : undefined;
  await session.pause();
  return { session, http };
}

async function closeReference(reference: Reference | undefined): Promise<void> {
  reference?.http?.close();
  await reference?.session.close();
}

function session(unit: CodeUnit, who: 'candidate' | 'reference', manifest: Manifest, output: OutputCapture): Session {
  return new Session(subjectOptions(who, earlyStartOf(manifest), output), unit);
}

/** The candidate's process, started from the command line's limits before the payload arrived. */
interface EarlySubject {
  shape: EarlyStart;
  output: OutputCapture;
  proc: SubjectProcess;
}

function startEarly(arg: string | undefined): EarlySubject | undefined {
  let parsed;
  try {
    parsed = EarlyStartSchema.safeParse(JSON.parse(arg ?? 'null'));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const output = new OutputCapture(parsed.data.outputBytes);
  return { shape: parsed.data, output, proc: new SubjectProcess(subjectOptions('candidate', parsed.data, output)) };
}

function skipped(name: SuiteName, weight: number, names: string[], message: string): SuiteResult {
  const tests: TestResult[] = names.map((n) => ({ name: n, sample: false, status: 'skipped', durationMs: 0, message }));
  return { name, weight, passed: 0, total: tests.length, tests };
}

async function grade(payload: DriverPayload, emit: Emit, early: EarlySubject | undefined): Promise<DriverReport> {
  const { manifest } = payload;
  // It loads while the suites are imported; candidate code runs only once it is ready and paused.
  const referenceStart = startReference(payload);
  referenceStart.catch(() => undefined); // awaited below
  const suites = await importSuitesBundle(payload.suitesBundle);
  const progress = (event: ProgressEvent) => emit({ type: 'progress', event });
  // The early process is used only if it was started with exactly the manifest's limits.
  const fits = early !== undefined && JSON.stringify(early.shape) === JSON.stringify(earlyStartOf(manifest));
  if (early && !fits) await early.proc.terminate({ kind: 'crash', message: 'started with other limits' });
  const output = fits ? early.output : new OutputCapture(manifest.limits.outputBytes);
  const candidate = session(payload.candidate, 'candidate', manifest, output);
  const report: DriverReport = {
    compile: { ok: true, diagnostics: [] },
    suites: [],
    latency: [],
    complexity: [],
    faults: candidate.faults,
    output,
    cpuMs: 0,
    peakMemoryBytes: 0,
  };
  soFar.report = report;

  progress({ stage: 'compiling' });
  const reference = await referenceStart;
  const loaded = await candidate.start(LOAD_TIMEOUT_MS, fits ? early.proc : undefined);
  if (!loaded.ok) {
    if (loaded.kind === 'fault') {
      // already recorded by the session
    } else if (loaded.kind === 'compile') {
      report.compile = { ok: false, diagnostics: loaded.diagnostics };
      candidate.faults.push({ kind: 'compile', message: 'the code does not compile' });
    } else candidate.faults.push({ kind: 'load', message: `loading the code failed: ${loaded.message.slice(0, 500)}` });
    await candidate.close();
    await closeReference(reference);
    return finish(report);
  }

  const deadline = performance.now() + manifest.limits.wallMs - WALL_MARGIN_MS;
  const http = manifest.kind === 'service' ? new ServiceHttpClient(CANDIDATE_PORT, manifest.limits.testTimeoutMs) : undefined;
  const runner = new TestRunner(candidate, payload.seed, { testTimeoutMs: manifest.limits.testTimeoutMs, deadline, maxTimeouts: 2 }, http);
  soFar.runner = runner;
  const onTest = (suite: SuiteName) => (done: number, total: number) => progress({ stage: 'suite', suite, done, total });

  const correctness = await runner.runSuite('correctness', manifest.suites.correctness.weight, suites.correctness, onTest('correctness'));
  report.suites.push(correctness);
  if (manifest.suites.stress)
    report.suites.push(await runner.runSuite('stress', manifest.suites.stress.weight, suites.stress ?? [], onTest('stress')));

  // Timing a wrong solution tells nobody anything: measure only what answers correctly.
  const measurable = correctness.passed === correctness.total ? runner.stopReason() : 'not run: correctness tests must pass first';
  const timing: Timing = { candidate, http, reference, seed: payload.seed, deadline, stopReason: () => runner.stopReason() };
  if (manifest.suites.latency) {
    const defs = suites.latency ?? [];
    const { weight, allowedRatio } = manifest.suites.latency;
    const names = defs.map((d) => `latency: ${d.operation}`);
    report.suites.push(
      measurable
        ? skipped('latency', weight, names, measurable)
        : await latencySuite(timing, defs, weight, allowedRatio, report.latency, progress),
    );
  }
  if (manifest.suites.complexity) {
    const probes = suites.complexity ?? [];
    const { weight } = manifest.suites.complexity;
    const names = probes.map((p) => `complexity: ${p.operation}`);
    report.suites.push(
      measurable
        ? skipped('complexity', weight, names, measurable)
        : await complexitySuite(timing, probes, manifest, weight, report.complexity, progress),
    );
  }
  await closeReference(reference);
  http?.close();
  await candidate.close();
  return finish(report);
}

/** What the timing suites work with: both sides, the grading's seed and deadline. */
interface Timing {
  candidate: Session;
  http: ServiceHttpClient | undefined;
  reference: Reference | undefined;
  seed: number;
  deadline: number;
  /** Why no further measurement may start (timeouts, limits hit), if so. */
  stopReason: () => string | undefined;
}

function needReference(t: Timing): Reference {
  if (!t.reference) throw new Error('the problem has a latency or complexity suite but no reference solution was started');
  return t.reference;
}

async function latencySuite(
  timing: Timing,
  defs: Array<LatencyDef | HttpLatencyDef>,
  weight: number,
  allowedRatio: number,
  into: LatencyResult[],
  progress: (e: ProgressEvent) => void,
): Promise<SuiteResult> {
  const reference = needReference(timing);
  const tests: TestResult[] = [];
  for (const def of defs) {
    const stop = timing.stopReason();
    if (stop) tests.push({ name: `latency: ${def.operation}`, sample: false, status: 'skipped', durationMs: 0, message: stop });
    else {
      const outcome =
        'request' in def
          ? await runHttpLatency(
              serviceSide(timing.candidate, timing.http),
              serviceSide(reference.session, reference.http),
              def,
              allowedRatio,
              timing.seed,
            )
          : await runLatency(timing.candidate, reference.session, def, allowedRatio, timing.seed, timing.deadline);
      into.push(outcome.result);
      tests.push(outcome.test);
    }
    progress({ stage: 'suite', suite: 'latency', done: tests.length, total: defs.length });
  }
  return { name: 'latency', weight, passed: tests.filter((t) => t.status === 'passed').length, total: tests.length, tests };
}

async function complexitySuite(
  timing: Timing,
  probes: ProbeDef[],
  manifest: Manifest,
  weight: number,
  into: ComplexityResult[],
  progress: (e: ProgressEvent) => void,
): Promise<SuiteResult> {
  const reference = needReference(timing);
  const ctx = { candidate: timing.candidate, reference: reference.session, seed: timing.seed, deadline: timing.deadline };
  const tests: TestResult[] = [];
  for (const [i, probe] of probes.entries()) {
    const stop = timing.stopReason();
    if (stop) tests.push({ name: `complexity: ${probe.operation}`, sample: false, status: 'skipped', durationMs: 0, message: stop });
    else {
      // Each probe gets its share of the time left, so a slow first probe cannot starve the others.
      const until = performance.now() + (timing.deadline - performance.now()) / (probes.length - i);
      const outcome = await runProbe({ ...ctx, until }, probe, manifest);
      into.push(outcome.result);
      tests.push(outcome.test);
    }
    progress({ stage: 'suite', suite: 'complexity', done: tests.length, total: probes.length });
  }
  return { name: 'complexity', weight, passed: tests.filter((t) => t.status === 'passed').length, total: tests.length, tests };
}

function serviceSide(session: Session, http: ServiceHttpClient | undefined): ServiceSide {
  if (!http) throw new Error('an HTTP latency benchmark in a problem whose kind is not "service"');
  return { session, http };
}

/** The report as sent: plain data, every string and list capped (`capReport`), so it always fits its frame. */
function finish(report: DriverReport): DriverReport {
  const out = report.output;
  return capReport({
    ...report,
    output: { stdout: out.stdout, stderr: out.stderr, truncated: out.truncated },
    cpuMs: Math.round(cgroupNumber('/sys/fs/cgroup/cpuacct/cpuacct.usage') / 1e6),
    peakMemoryBytes: cgroupNumber('/sys/fs/cgroup/memory/memory.max_usage_in_bytes'),
  });
}

/**
 * What the grading has when time runs out: every suite finished so far, the one running with
 * the tests it has done (the rest skipped), and a timeout fault.
 */
function reportSoFar(): DriverReport {
  const report = soFar.report ?? {
    compile: { ok: true, diagnostics: [] },
    suites: [],
    latency: [],
    complexity: [],
    faults: [],
    output: { stdout: '', stderr: '', truncated: false },
    cpuMs: 0,
    peakMemoryBytes: 0,
  };
  const running = soFar.runner?.suiteSoFar();
  const suites = running && !report.suites.some((s) => s.name === running.name) ? [...report.suites, running] : report.suites;
  const faults = [
    ...report.faults,
    { kind: 'timeout' as const, message: 'the grading ran past its time limit; what was measured before is kept' },
  ];
  return finish({ ...report, suites, faults });
}

async function main(): Promise<void> {
  // Suites are trusted but may log: keep stdout for frames only.
  const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  console.log = console.info = console.warn = console.debug = toStderr;
  process.on('unhandledRejection', () => undefined); // a timed-out test may leave rejections behind
  const early = startEarly(process.argv[2]);

  let payload: DriverPayload;
  try {
    payload = DriverPayloadSchema.parse(JSON.parse(await readStdin()));
  } catch (e) {
    process.stderr.write(`driver: bad payload: ${(e as Error).message}\n`);
    process.exit(2);
  }
  let ended = false;
  const emit: Emit = (frame) => {
    if (!ended) process.stdout.write(`${FRAME_PREFIX}${payload.nonce} ${JSON.stringify(frame)}\n`);
  };
  // One report, then exit: whichever comes first, the grading's own or the watchdog's.
  const end = (last: () => DriverFrame) => {
    if (ended) return;
    try {
      emit(last());
    } catch (e) {
      emit({ type: 'internal', message: `driver failed: ${(e as Error).stack ?? String(e)}`.slice(0, 4000) });
    }
    ended = true;
    process.stdout.write('', () => process.exit(0));
  };
  // performance.now() counts from the process's start.
  const watchdogMs = payload.manifest.limits.wallMs + WATCHDOG_GRACE_MS - performance.now();
  setTimeout(() => end(() => ({ type: 'report', report: reportSoFar() })), Math.max(0, watchdogMs));
  try {
    const report = await grade(payload, emit, early);
    end(() => ({ type: 'report', report }));
  } catch (e) {
    end(() => ({ type: 'internal', message: `driver failed: ${(e as Error).stack ?? String(e)}`.slice(0, 4000) }));
  }
}

void main();
