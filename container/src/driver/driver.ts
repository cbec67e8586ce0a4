/**
 * The driver: the trusted side inside the container. It reads the payload from stdin, starts
 * the candidate (uid 2000) and, for latency, the reference solution (uid 3000), runs the
 * problem's suites against them, and writes progress and the report as nonce-tagged frames on
 * its stdout — the only result channel, which no subject process can reach.
 */
import { importSuitesBundle, type HttpLatencyDef, type LatencyDef } from '@assay/sdk';
import type { LatencyResult, Manifest, ProgressEvent, SuiteName, SuiteResult, TestResult } from '@assay/contracts';
import { runProbe } from './ComplexityProbes';
import { ServiceHttpClient } from './HttpClient';
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
import { cgroupNumber, OutputCapture, SubjectProcess } from './SubjectProcess';
import { TestRunner } from './TestRunner';

/** Time kept back from the wall limit to stop, report and clean up. */
const WALL_MARGIN_MS = 4000;
/** Compiling and importing the code (esbuild included) must finish within this. */
const LOAD_TIMEOUT_MS = 10_000;
/** Service problems: the ports the candidate's and the reference server listen on (loopback). */
const PORTS = { candidate: 3000, reference: 3001 } as const;

type Emit = (frame: DriverFrame) => void;

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
  return {
    node: process.execPath,
    script: IMAGE_PATHS.subject,
    esbuild: IMAGE_PATHS.esbuild,
    dir: who === 'candidate' ? IMAGE_PATHS.candidateDir : IMAGE_PATHS.referenceDir,
    uid: UIDS[who],
    // The heap limit trips before the container's memory limit, so a memory bomb is named as such.
    heapMb: Math.max(32, Math.floor(shape.memoryMb * 0.4)),
    output,
    ...(shape.kind === 'service' ? { listenPort: PORTS[who], env: { PORT: String(PORTS[who]), HOST: '127.0.0.1' } } : {}),
  };
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

  progress({ stage: 'compiling' });
  const loaded = await candidate.start(LOAD_TIMEOUT_MS, fits ? early.proc : undefined);
  if (!loaded.ok) {
    if (loaded.kind === 'fault') {
      // already recorded by the session
    } else if (loaded.kind === 'compile') {
      report.compile = { ok: false, diagnostics: loaded.diagnostics };
      candidate.faults.push({ kind: 'compile', message: 'the code does not compile' });
    } else candidate.faults.push({ kind: 'load', message: `loading the code failed: ${loaded.message.slice(0, 500)}` });
    await candidate.close();
    return finish(report);
  }

  const deadline = performance.now() + manifest.limits.wallMs - WALL_MARGIN_MS;
  const http = manifest.kind === 'service' ? new ServiceHttpClient(PORTS.candidate, manifest.limits.testTimeoutMs) : undefined;
  const runner = new TestRunner(candidate, payload.seed, { testTimeoutMs: manifest.limits.testTimeoutMs, deadline, maxTimeouts: 2 }, http);
  const onTest = (suite: SuiteName) => (done: number, total: number) => progress({ stage: 'suite', suite, done, total });

  const correctness = await runner.runSuite('correctness', manifest.suites.correctness.weight, suites.correctness, onTest('correctness'));
  report.suites.push(correctness);
  if (manifest.suites.stress)
    report.suites.push(await runner.runSuite('stress', manifest.suites.stress.weight, suites.stress ?? [], onTest('stress')));

  // Timing a wrong solution tells nobody anything: measure only what answers correctly.
  const measurable = correctness.passed === correctness.total ? runner.stopReason() : 'not run: correctness tests must pass first';
  if (manifest.suites.latency) {
    const defs = suites.latency ?? [];
    const { weight, allowedRatio } = manifest.suites.latency;
    if (measurable)
      report.suites.push(
        skipped(
          'latency',
          weight,
          defs.map((d) => `latency: ${d.operation}`),
          measurable,
        ),
      );
    else
      report.suites.push(await latencySuite({ session: candidate, http }, payload, defs, weight, allowedRatio, report.latency, progress));
  }
  if (manifest.suites.complexity) {
    const probes = suites.complexity ?? [];
    const { weight } = manifest.suites.complexity;
    if (measurable)
      report.suites.push(
        skipped(
          'complexity',
          weight,
          probes.map((p) => `complexity: ${p.operation}`),
          measurable,
        ),
      );
    else {
      const tests: TestResult[] = [];
      for (const probe of probes) {
        const outcome = await runProbe(candidate, probe, manifest, payload.seed);
        report.complexity.push(outcome.result);
        tests.push(outcome.test);
        progress({ stage: 'suite', suite: 'complexity', done: tests.length, total: probes.length });
      }
      report.suites.push({
        name: 'complexity',
        weight,
        passed: tests.filter((t) => t.status === 'passed').length,
        total: tests.length,
        tests,
      });
    }
  }
  http?.close();
  await candidate.close();
  return finish(report);
}

async function latencySuite(
  candidate: { session: Session; http: ServiceHttpClient | undefined },
  payload: DriverPayload,
  defs: Array<LatencyDef | HttpLatencyDef>,
  weight: number,
  allowedRatio: number,
  into: LatencyResult[],
  progress: (e: ProgressEvent) => void,
): Promise<SuiteResult> {
  if (!payload.reference) throw new Error('the problem has a latency suite but no reference solution was sent');
  const reference = session(payload.reference, 'reference', payload.manifest, new OutputCapture(payload.manifest.limits.outputBytes));
  const loaded = await reference.start(LOAD_TIMEOUT_MS);
  if (!loaded.ok) throw new Error(`the reference solution does not load: ${JSON.stringify(loaded)}`);
  const refHttp = candidate.http ? new ServiceHttpClient(PORTS.reference, payload.manifest.limits.testTimeoutMs) : undefined;
  const tests: TestResult[] = [];
  try {
    for (const def of defs) {
      const outcome =
        'request' in def
          ? await runHttpLatency(
              serviceSide(candidate),
              serviceSide({ session: reference, http: refHttp }),
              def,
              allowedRatio,
              payload.seed,
            )
          : await runLatency(candidate.session, reference, def, allowedRatio, payload.seed);
      into.push(outcome.result);
      tests.push(outcome.test);
      progress({ stage: 'suite', suite: 'latency', done: tests.length, total: defs.length });
    }
  } finally {
    refHttp?.close();
    await reference.close();
  }
  return { name: 'latency', weight, passed: tests.filter((t) => t.status === 'passed').length, total: tests.length, tests };
}

function serviceSide(side: { session: Session; http: ServiceHttpClient | undefined }): ServiceSide {
  if (!side.http) throw new Error('an HTTP latency benchmark in a problem whose kind is not "service"');
  return { session: side.session, http: side.http };
}

function finish(report: DriverReport): DriverReport {
  const out = report.output;
  report.output = { stdout: out.stdout, stderr: out.stderr, truncated: out.truncated };
  report.cpuMs = Math.round(cgroupNumber('/sys/fs/cgroup/cpuacct/cpuacct.usage') / 1e6);
  report.peakMemoryBytes = cgroupNumber('/sys/fs/cgroup/memory/memory.max_usage_in_bytes');
  return report;
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
  const emit: Emit = (frame) => process.stdout.write(`${FRAME_PREFIX}${payload.nonce} ${JSON.stringify(frame)}\n`);
  try {
    emit({ type: 'report', report: await grade(payload, emit, early) });
  } catch (e) {
    emit({ type: 'internal', message: `driver failed: ${(e as Error).stack ?? String(e)}`.slice(0, 4000) });
  }
  process.stdout.write('', () => process.exit(0));
}

void main();
