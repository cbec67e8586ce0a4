/**
 * The engine failing a run is told apart from anything a submission does: an unreachable engine,
 * a missing image, a container stopped from outside mid-run all throw SandboxUnavailableError
 * (the worker puts the job back without spending an attempt) and leave no container; after an
 * outage the sweep removes this process's containers whose run ended, never a running one's.
 */
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PATHS } from '@assay/container/wire';
import { ContainerReaper, ownerId } from './ContainerReaper';
import { SandboxRunner, type RunSpec } from './SandboxRunner';
import { SandboxUnavailableError } from './SandboxUnavailableError';
import { OWNER_LABEL, SANDBOX_LABEL, SUBMISSION_LABEL } from './sandboxHostConfig';
import { ensureTestRunnerImage } from './testImage';

const docker = new Docker();
const logger = pino({ level: 'silent' });
let image = '';

beforeAll(async () => {
  image = await ensureTestRunnerImage(docker);
});

const spec = (submissionId: string, code: string): RunSpec => ({
  image,
  cmd: [IMAGE_PATHS.node, '-e', code],
  stdin: '',
  memoryMb: 128,
  wallMs: 20_000,
  outputBytes: 65_536,
  submissionId,
});
const containersOf = (submissionId: string) =>
  docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SUBMISSION_LABEL}=${submissionId}`] }) });

describe('SandboxUnavailableError', () => {
  it('an unreachable engine', async () => {
    const runner = new SandboxRunner(new Docker({ socketPath: `/tmp/no-engine-${randomUUID()}.sock` }), logger);
    await expect(runner.run(spec(`unreachable-${randomUUID()}`, '0'))).rejects.toBeInstanceOf(SandboxUnavailableError);
  });

  it('a missing runner image', async () => {
    const id = `noimage-${randomUUID()}`;
    const runner = new SandboxRunner(docker, logger);
    await expect(runner.run({ ...spec(id, '0'), image: 'assay-runner:does-not-exist' })).rejects.toBeInstanceOf(SandboxUnavailableError);
    expect(await containersOf(id)).toEqual([]);
  });

  it('a container stopped from outside mid-run (as an engine shutting down does); a normal exit is not', async () => {
    const id = `stopped-${randomUUID()}`;
    const runner = new SandboxRunner(docker, logger);
    const run = runner.run(spec(id, 'setInterval(() => {}, 1000)'));
    const [c] = await (async () => {
      for (;;) {
        const found = (await containersOf(id)).filter((x) => x.State === 'running');
        if (found.length) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(runner.activeContainers().has(c!.Id)).toBe(true);
    await docker.getContainer(c!.Id).stop({ t: 0 });
    await expect(run).rejects.toBeInstanceOf(SandboxUnavailableError);
    expect(runner.activeContainers().size).toBe(0);
    expect(await containersOf(id)).toEqual([]);
    // The submission's own non-zero exit is an outcome, not the engine's failure.
    await expect(runner.run(spec(`exits-${randomUUID()}`, 'process.exit(3)'))).resolves.toMatchObject({ exitCode: 3 });
  });
});

describe('the sweep after an outage', () => {
  it("removes this process's containers whose run ended (Created or exited) and keeps the active ones", async () => {
    const tag = `sweep-${randomUUID()}`;
    const make = () =>
      docker.createContainer({
        Image: image,
        Cmd: [IMAGE_PATHS.node, '-e', '0'],
        Labels: { [SANDBOX_LABEL]: '1', [SUBMISSION_LABEL]: tag, [OWNER_LABEL]: ownerId() },
        HostConfig: { NetworkMode: 'none' },
      });
    const [left, active] = [await make(), await make()];
    try {
      const removed = await new ContainerReaper(docker).reap({
        orphansOnly: true,
        olderThanMs: 60 * 60 * 1000,
        labels: { [SUBMISSION_LABEL]: tag },
        ownExcept: new Set([active.id]),
      });
      expect(removed).toBe(1);
      await expect(left.inspect()).rejects.toMatchObject({ statusCode: 404 });
      await expect(active.inspect()).resolves.toMatchObject({ State: { Status: 'created' } });
    } finally {
      for (const c of [left, active]) await c.remove({ force: true }).catch(() => undefined);
    }
  });
});
