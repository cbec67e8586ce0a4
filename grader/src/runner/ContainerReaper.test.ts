/**
 * Orphan reaping with several graders on one Docker engine: a grader starting up must remove
 * containers whose owner died, and never a live grader's running ones.
 */
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PATHS } from '@assay/container/wire';
import { ContainerReaper, ownerId } from './ContainerReaper';
import { OWNER_LABEL, SANDBOX_LABEL, SUBMISSION_LABEL } from './sandboxHostConfig';
import { ensureTestRunnerImage } from './testImage';

const docker = new Docker();
let image: string;

beforeAll(async () => {
  image = await ensureTestRunnerImage(docker);
});

async function sleeper(owner: string, tag: string) {
  const c = await docker.createContainer({
    Image: image,
    Cmd: [IMAGE_PATHS.node, '-e', 'setInterval(() => {}, 1000)'],
    Labels: { [SANDBOX_LABEL]: '1', [SUBMISSION_LABEL]: tag, [OWNER_LABEL]: owner },
    HostConfig: { NetworkMode: 'none' },
  });
  await c.start();
  return c;
}

describe('ContainerReaper orphansOnly', () => {
  it('removes containers of a dead owner and keeps a live owner’s', async () => {
    const tag = `reaper-${process.pid}-${Date.now()}`;
    // pid 2^22 - 1 is above Linux's pid_max default, so no live process has it.
    const dead = await sleeper(`${hostname()}:4194303`, tag);
    const live = await sleeper(ownerId(), tag);
    const elsewhere = await sleeper('another-host:1', tag);
    try {
      const removed = await new ContainerReaper(docker).reap({
        orphansOnly: true,
        olderThanMs: 60 * 60 * 1000,
        labels: { [SUBMISSION_LABEL]: tag },
      });
      expect(removed).toBe(1);
      await expect(dead.inspect()).rejects.toMatchObject({ statusCode: 404 });
      await expect(live.inspect()).resolves.toBeDefined();
      await expect(elsewhere.inspect()).resolves.toBeDefined();
    } finally {
      for (const c of [dead, live, elsewhere]) await c.remove({ force: true }).catch(() => undefined);
    }
  });
});
