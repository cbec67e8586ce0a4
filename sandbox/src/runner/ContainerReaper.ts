/**
 * Removes sandbox containers left behind by a crashed worker: all of them at start-up, or only
 * those older than a run could possibly last while the worker is running.
 */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { SANDBOX_LABEL } from './sandboxHostConfig';

export interface ReapOptions {
  /** Only containers created more than this long ago (default: all of them). */
  olderThanMs?: number;
  /** Extra labels a container must carry too (e.g. one worker's own id, or one submission). */
  labels?: Record<string, string>;
}

export class ContainerReaper {
  constructor(
    private readonly docker: Docker,
    private readonly logger?: Logger,
  ) {}

  /** Returns how many containers were removed. */
  async reap(options: ReapOptions = {}): Promise<number> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: JSON.stringify({
        label: [
          `${SANDBOX_LABEL}=1`,
          ...Object.entries(options.labels ?? {}).map(([k, v]) => `${k}=${v}`),
        ],
      }),
    });
    const cutoffS = options.olderThanMs === undefined ? Infinity : (Date.now() - options.olderThanMs) / 1000;
    let removed = 0;
    for (const info of containers) {
      if (info.Created > cutoffS) continue;
      try {
        await this.docker.getContainer(info.Id).remove({ force: true });
        removed++;
        this.logger?.info({ containerId: info.Id, labels: info.Labels }, 'reaped sandbox container');
      } catch (err) {
        // 404: its runner removed it meanwhile; 409: removal already in progress.
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw err;
      }
    }
    return removed;
  }
}
