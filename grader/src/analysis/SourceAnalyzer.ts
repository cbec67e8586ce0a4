/**
 * Type-checks TypeScript submissions on the host, next to the sandbox run: esbuild (in the
 * sandbox) only strips types, so without this a type error would pass. The check runs in a
 * worker thread so a pathological program can be stopped; library files stay parsed between
 * checks, so after the first one a check costs a few hundred milliseconds.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { Diagnostic } from '@assay/contracts';

const require = createRequire(import.meta.url);

export type TypeCheckOutcome = { ok: true; diagnostics: Diagnostic[] } | { ok: false; reason: string };

export class TypeChecker {
  /** One worker at a time, started once even when the first checks arrive together. */
  private worker: Promise<Worker> | undefined;
  private code: Promise<string> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (o: TypeCheckOutcome) => void>();

  constructor(private readonly timeoutMs = 20_000) {}

  /** The worker's code, bundled once (typescript itself stays external). */
  private source(): Promise<string> {
    this.code ??= build({
      entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'typeCheckWorker.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0]!.text);
    return this.code;
  }

  private start(): Promise<Worker> {
    this.worker ??= this.spawn().catch((e: unknown) => {
      this.worker = undefined;
      throw e;
    });
    return this.worker;
  }

  private async spawn(): Promise<Worker> {
    const typescriptPath = require.resolve('typescript');
    const typeRoots = path.join(path.dirname(require.resolve('@types/node/package.json')), '..');
    const worker = new Worker(await this.source(), { eval: true, workerData: { typescriptPath, typeRoots } });
    worker.on('message', (m: { id: number; diagnostics?: Diagnostic[]; error?: string }) => {
      this.pending.get(m.id)?.(
        m.diagnostics ? { ok: true, diagnostics: m.diagnostics } : { ok: false, reason: m.error ?? 'type checker failed' },
      );
    });
    const fail = (reason: string) => {
      this.worker = undefined;
      for (const settle of [...this.pending.values()]) settle({ ok: false, reason });
    };
    worker.on('error', (e) => fail(`type checker crashed: ${e.message}`));
    worker.on('exit', () => fail('type checker stopped'));
    // After the listeners (adding a 'message' listener refs the port again): an idle checker must
    // never keep a process from exiting; `check` refs it while an answer is awaited.
    worker.unref();
    return worker;
  }

  /** Type errors in the submission's TypeScript files (empty when it type-checks). */
  async check(files: { path: string; content: string }[]): Promise<TypeCheckOutcome> {
    const worker = await this.start();
    const id = this.nextId++;
    return new Promise<TypeCheckOutcome>((resolve) => {
      const settle = (o: TypeCheckOutcome) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) worker.unref();
        resolve(o);
      };
      const timer = setTimeout(() => {
        // A program this slow to check is the submission's doing: say so, and start afresh next time.
        settle({
          ok: true,
          diagnostics: [{ file: '', line: 0, column: 0, message: `type checking took longer than ${this.timeoutMs / 1000} s` }],
        });
        void worker.terminate();
      }, this.timeoutMs);
      this.pending.set(id, settle);
      // While an answer is awaited the process must stay alive for it (a CLI awaiting its result).
      worker.ref();
      worker.postMessage({ id, files });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await (await worker)?.terminate();
  }
}
