/**
 * Runs one command in one fresh, locked-down container and reports how it ended.
 * One create/attach/wait/start/inspect/remove per run: nothing else goes over the socket.
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { ownerId } from './ContainerReaper';
import { OutputCapture } from './OutputCapture';
import { SandboxUnavailableError } from './SandboxUnavailableError';
import { SANDBOX_ENV, OWNER_LABEL, SANDBOX_LABEL, SUBMISSION_LABEL, sandboxHostConfig } from './sandboxHostConfig';

export interface RunSpec {
  image: string;
  cmd: string[];
  stdin: string | Buffer;
  memoryMb: number;
  /** Wall-clock limit from start; the container is SIGKILLed when it passes. */
  wallMs: number;
  /** Budget for stdout + stderr together; the container is SIGKILLed when it is exceeded. */
  outputBytes: number;
  labels?: Record<string, string>;
  submissionId?: string;
  /** Each stdout line as it arrives (without its newline). Must not throw. */
  onStdoutLine?: (line: string) => void;
  /** Aborting kills the container (a worker shutting down); the outcome says `aborted`. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  /** null when Docker could not tell (the wait failed). 137 after any SIGKILL. */
  exitCode: number | null;
  oomKilled: boolean;
  timedOut: boolean;
  outputExceeded: boolean;
  aborted: boolean;
  /** At most outputBytes between them. */
  stdout: string;
  stderr: string;
  /** From start to exit. */
  wallMs: number;
  cpuMs?: number;
  peakMemoryBytes?: number;
}

/** After our SIGKILL, how long Docker may take to report the exit before we call it broken. */
const KILL_GRACE_MS = 15_000;
/** After the exit, how long the rest of the output may take to drain from the socket. */
const DRAIN_MS = 2_000;

export class SandboxRunner {
  /** Containers of runs in progress: a sweep after an engine restart must leave them alone. */
  private readonly active = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly logger: Logger,
  ) {}

  /** Ids of this runner's containers whose run has not ended. */
  activeContainers(): ReadonlySet<string> {
    return this.active;
  }

  /**
   * Throws `SandboxUnavailableError` when the engine failed the run (nothing the submission does
   * reaches the engine's API); otherwise reports how the container ended.
   */
  async run(spec: RunSpec): Promise<RunOutcome> {
    try {
      return await this.runOnce(spec);
    } catch (err) {
      if (err instanceof SandboxUnavailableError) throw err;
      throw new SandboxUnavailableError(`the Docker engine failed the sandbox run: ${(err as Error).message}`, { cause: err });
    }
  }

  private async runOnce(spec: RunSpec): Promise<RunOutcome> {
    const log = this.logger.child({ submissionId: spec.submissionId ?? null });
    const labels: Record<string, string> = { ...spec.labels, [SANDBOX_LABEL]: '1', [OWNER_LABEL]: ownerId() };
    if (spec.submissionId) labels[SUBMISSION_LABEL] = spec.submissionId;

    const container = await this.docker.createContainer({
      Image: spec.image,
      Cmd: spec.cmd,
      Env: SANDBOX_ENV,
      WorkingDir: '/',
      Labels: labels,
      Tty: false,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      NetworkDisabled: true,
      StopTimeout: 1,
      HostConfig: sandboxHostConfig(spec),
    });
    this.active.add(container.id);
    log.debug({ containerId: container.id, cmd: spec.cmd[0] }, 'sandbox container created');

    let stream: Duplex | undefined;
    let waitResponse: IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killReason: 'timeout' | 'output' | 'aborted' | undefined;
    let onKilled = () => {};
    // Rejects only if Docker fails to report the exit long after our SIGKILL.
    const stuck = new Promise<void>((resolve) => (onKilled = resolve))
      .then(() => delay(KILL_GRACE_MS))
      .then((): never => {
        throw new Error(`container ${container.id} did not stop after SIGKILL`);
      });
    stuck.catch(() => {});
    const onAbort = () => kill('aborted');
    const kill = (reason: 'timeout' | 'output' | 'aborted') => {
      if (killReason) return;
      killReason = reason;
      onKilled();
      log.info({ containerId: container.id, reason }, 'killing sandbox container');
      container.kill({ signal: 'SIGKILL' }).catch((err: unknown) => {
        // 409: it already stopped on its own, which is what we wanted.
        if ((err as { statusCode?: number }).statusCode !== 409) {
          log.warn({ err, containerId: container.id }, 'kill failed');
        }
      });
    };

    try {
      // Both before start: the attach must see the first byte, and a next-exit wait registered
      // after a fast exit would never return. The wait's headers mean it is registered.
      const [attached, waiting] = await Promise.all([
        container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
        this.waitNextExit(container.id),
      ]);
      stream = attached as Duplex;
      waitResponse = waiting;
      const exited = readJson(waiting);
      exited.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled

      const capture = new OutputCapture(
        spec.outputBytes,
        () => kill('output'),
        spec.onStdoutLine && this.guardListener(spec.onStdoutLine, log),
      );
      const drained = new Promise<void>((resolve) => {
        stream
          ?.once('end', resolve)
          .once('close', resolve)
          .once('error', () => resolve());
      });
      this.docker.modem.demuxStream(stream, capture.stdout, capture.stderr);

      if (spec.signal?.aborted) kill('aborted');
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      await container.start();
      const startedAt = performance.now();
      timer = setTimeout(() => kill('timeout'), spec.wallMs);
      // Ending our side closes the container's stdin (StdinOnce); its output keeps flowing.
      stream.end(spec.stdin);

      const exit = await Promise.race([exited, stuck]);
      const wallMs = Math.round(performance.now() - startedAt);
      clearTimeout(timer);
      // Killed by a signal we did not send (the engine stopping its containers on shutdown or
      // restart): the candidate cannot signal the driver, so the engine went away under the run.
      if (!killReason && (exit.StatusCode === 137 || exit.StatusCode === 143) && !(await this.wasOomKilled(container, log)))
        throw new SandboxUnavailableError(`the sandbox was stopped from outside (exit ${exit.StatusCode}): the engine is going away`);

      await Promise.race([drained, delay(DRAIN_MS)]);
      capture.finish();

      // OOMKilled is only in the container state; skip the round trip when we killed it.
      const oomKilled = killReason ? false : await this.wasOomKilled(container, log);

      const outcome: RunOutcome = {
        exitCode: exit.StatusCode ?? null,
        oomKilled,
        timedOut: killReason === 'timeout',
        outputExceeded: killReason === 'output' || capture.exceeded,
        aborted: killReason === 'aborted',
        stdout: capture.text('stdout'),
        stderr: capture.text('stderr'),
        wallMs,
      };
      log.info(
        {
          containerId: container.id,
          exitCode: outcome.exitCode,
          oomKilled,
          timedOut: outcome.timedOut,
          outputExceeded: outcome.outputExceeded,
          outputBytes: capture.totalBytes,
          wallMs,
        },
        'sandbox run finished',
      );
      return outcome;
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      stream?.destroy();
      waitResponse?.destroy();
      this.active.delete(container.id);
      await container.remove({ force: true }).catch((err: unknown) => {
        // 404/409: already gone or being removed (a reaper got there first).
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404 || status === 409) return;
        // Otherwise left for the reaper (it finds it by label).
        log.error({ err, containerId: container.id }, 'could not remove sandbox container');
      });
    }
  }

  private async wasOomKilled(container: Docker.Container, log: Logger): Promise<boolean> {
    try {
      return (await container.inspect()).State.OOMKilled === true;
    } catch (err) {
      // Only if something removed it between exit and here (a reaper expiring it): say so.
      log.warn({ err, containerId: container.id }, 'could not inspect the exited container');
      return false;
    }
  }

  /** POST /wait?condition=next-exit, resolved as soon as the headers arrive (= registered). */
  private waitNextExit(id: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: `/containers/${id}/wait?`,
          method: 'POST',
          options: { condition: 'next-exit' },
          isStream: true,
          statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
        },
        (err: unknown, res: unknown) => (err ? reject(err) : resolve(res as IncomingMessage)),
      );
    });
  }

  private guardListener(listener: (line: string) => void, log: Logger): (line: string) => void {
    return (line) => {
      try {
        listener(line);
      } catch (err) {
        log.error({ err }, 'onStdoutLine listener threw');
      }
    };
  }
}

interface WaitBody {
  StatusCode?: number;
  Error?: { Message?: string } | null;
}

async function readJson(res: IncomingMessage): Promise<WaitBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WaitBody;
  if (body.Error?.Message) throw new Error(`container wait failed: ${body.Error.Message}`);
  return body;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
