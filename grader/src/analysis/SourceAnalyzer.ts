/**
 * What the host works out from a submission's source while the sandbox runs: the TypeScript type
 * check (esbuild in the sandbox only strips types, so without it a type error would pass) and the
 * static hints. Both parse candidate code, so both run in worker threads, one job at a time per
 * worker, each with a bounded heap and a time limit of its own: a pathological program fails its
 * own job ("graded without the type check", "no hints"), never the grading, the host process or
 * another submission's job. A worker that was killed is replaced for the next job; library files
 * stay parsed in a worker between jobs, so after the first one a check costs a few hundred ms.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build, type Plugin } from 'esbuild';
import type { Diagnostic } from '@assay/contracts';
import type { AnalysisKind, AnalysisReply, AnalysisRequest } from './analysisWorker';
import type { FoundHint } from './staticHints';

const require = createRequire(import.meta.url);

export type TypeCheckOutcome = { ok: true; diagnostics: Diagnostic[] } | { ok: false; reason: string };
export type HintsOutcome = { ok: true; found: FoundHint[] } | { ok: false; reason: string };

export interface AnalyzerLimits {
  /** Type-check workers; each runs one job at a time and may use up to `heapMb`. */
  workers: number;
  heapMb: number;
  typeCheckMs: number;
  /** The hints scan has a worker of its own (it parses only the submission). */
  hintsHeapMb: number;
  hintsMs: number;
}

export const DEFAULT_ANALYZER_LIMITS: AnalyzerLimits = { workers: 1, heapMb: 512, typeCheckMs: 20_000, hintsHeapMb: 256, hintsMs: 5_000 };

type JobOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

interface Job {
  id: number;
  kind: AnalysisKind;
  files: { path: string; content: string }[];
  timeoutMs: number;
  settle: (o: JobOutcome) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker?: Worker;
  job?: Job;
}

/** The worker's code imports `typescript`; it loads the copy the host resolved (eval'd code has no node_modules). */
const typescriptFromWorkerData: Plugin = {
  name: 'typescript-from-worker-data',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'worker-data' }));
    b.onLoad({ filter: /.*/, namespace: 'worker-data' }, () => ({
      contents: "module.exports = require(require('node:worker_threads').workerData.typescriptPath);",
      loader: 'js',
    }));
  },
};

/** Jobs run one at a time per worker thread, in order; each worker's heap is capped at `heapMb`. */
export class WorkerQueue {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    workers: number,
    private readonly heapMb: number,
    /** The worker's code (bundled once, shared by every queue). */
    private readonly source: () => Promise<string>,
  ) {
    this.slots = Array.from({ length: Math.max(1, workers) }, () => ({}));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.settle({ ok: false, reason: 'the analyzer was closed' });
    await Promise.all(
      this.slots.map((slot) => {
        const worker = slot.worker;
        slot.worker = undefined;
        if (slot.job) this.finish(slot, slot.job, { ok: false, reason: 'the analyzer was closed' });
        return worker?.terminate();
      }),
    );
  }

  run(kind: AnalysisKind, files: Job['files'], timeoutMs: number): Promise<JobOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'the analyzer was closed' });
    return new Promise((settle) => {
      this.queue.push({ id: this.nextId++, kind, files, timeoutMs, settle });
      this.pump();
    });
  }

  /** Starts queued jobs on idle workers; the time limit counts from the start, not the wait. */
  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0 || this.closed) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      void this.start(slot, job);
    }
  }

  private async start(slot: Slot, job: Job): Promise<void> {
    let worker: Worker;
    try {
      worker = slot.worker ?? (slot.worker = this.spawn(slot, await this.source()));
    } catch (e) {
      return this.finish(slot, job, { ok: false, reason: `the analysis worker could not start: ${(e as Error).message}` });
    }
    if (slot.job !== job) return; // closed meanwhile
    job.timer = setTimeout(() => {
      // The worker goes first: finishing starts the next job, which must not land on it.
      this.discard(slot, worker);
      this.finish(slot, job, { ok: false, reason: `took longer than ${job.timeoutMs / 1000} s` });
    }, job.timeoutMs);
    // While a job runs the process must stay alive for its answer (a CLI awaiting its result).
    worker.ref();
    const request: AnalysisRequest = { id: job.id, kind: job.kind, files: job.files };
    worker.postMessage(request);
  }

  private finish(slot: Slot, job: Job, outcome: JobOutcome): void {
    if (slot.job !== job) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    slot.worker?.unref();
    job.settle(outcome);
    this.pump();
  }

  /** Drops a worker (timed out, or dead): its slot starts a fresh one for the next job. */
  private discard(slot: Slot, worker: Worker): void {
    if (slot.worker === worker) slot.worker = undefined;
    void worker.terminate();
  }

  private spawn(slot: Slot, code: string): Worker {
    const typescriptPath = require.resolve('typescript');
    const typeRoots = path.join(path.dirname(require.resolve('@types/node/package.json')), '..');
    const worker = new Worker(code, {
      eval: true,
      workerData: { typescriptPath, typeRoots },
      // A deep stack: interpreted (not yet optimised) parser frames are large, and real code nests.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(64, this.heapMb / 8), stackSizeMb: 16 },
    });
    worker.on('message', (m: AnalysisReply) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || job.id !== m.id) return;
      this.finish(slot, job, 'error' in m ? { ok: false, reason: m.error } : { ok: true, value: m.value });
    });
    const died = (reason: string) => {
      if (slot.worker !== worker) return;
      this.discard(slot, worker);
      if (slot.job) this.finish(slot, slot.job, { ok: false, reason });
    };
    worker.on('error', (e: Error & { code?: string }) =>
      died(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of memory (${this.heapMb} MB)` : `the analysis worker crashed: ${e.message}`),
    );
    worker.on('exit', () => died('the analysis worker stopped'));
    // After the listeners (adding a 'message' listener refs the port again): an idle worker must
    // never keep a process from exiting.
    worker.unref();
    return worker;
  }
}

/** The two queues: a type check waiting for a worker must never hold up another submission's hints. */
export class SourceAnalyzer {
  private readonly limits: AnalyzerLimits;
  private readonly types: WorkerQueue;
  private readonly hints: WorkerQueue;
  private code: Promise<string> | undefined;

  constructor(limits: Partial<AnalyzerLimits> = {}) {
    this.limits = { ...DEFAULT_ANALYZER_LIMITS, ...limits };
    const source = () => this.source();
    this.types = new WorkerQueue(this.limits.workers, this.limits.heapMb, source);
    this.hints = new WorkerQueue(1, this.limits.hintsHeapMb, source);
  }

  /** Type errors in the submission's TypeScript files (none when it type-checks). */
  async typeCheck(files: { path: string; content: string }[]): Promise<TypeCheckOutcome> {
    const o = await this.types.run('types', files, this.limits.typeCheckMs);
    return o.ok ? { ok: true, diagnostics: o.value as Diagnostic[] } : o;
  }

  /** The static hints patterns in the submission, before any measurement marks them. */
  async staticHints(files: { path: string; content: string }[]): Promise<HintsOutcome> {
    const o = await this.hints.run('hints', files, this.limits.hintsMs);
    return o.ok ? { ok: true, found: o.value as FoundHint[] } : o;
  }

  async close(): Promise<void> {
    await Promise.all([this.types.close(), this.hints.close()]);
  }

  /** The worker's code, bundled once (typescript itself is loaded from the host's copy). */
  private source(): Promise<string> {
    this.code ??= build({
      entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'analysisWorker.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      plugins: [typescriptFromWorkerData],
    }).then(
      (r) => r.outputFiles[0]!.text,
      (e: unknown) => {
        this.code = undefined;
        throw e;
      },
    );
    return this.code;
  }
}
