/**
 * Removes sandbox containers left behind by a crashed worker. Several graders share one Docker
 * engine (workers, CLIs, tests), so a grader starting up removes only orphans: containers whose
 * owning process on this host is gone, or that are older than any grading can last.
 */
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { OWNER_LABEL, SANDBOX_LABEL } from './sandboxHostConfig';

/** `<hostname>:<pid>` of the process that created a container. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** True when the owner is a live process on this host (or on another host: not ours to judge). */
function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ReapOptions {
  /** Keep containers whose owning process is still alive (unless older than `olderThanMs`). */
  orphansOnly?: boolean;
  /** Only containers created more than this long ago (default: all of them). */
  olderThanMs?: number;
  /** Extra labels a container must carry too (e.g. one worker's own id, or one submission). */
  labels?: Record<string, string>;
  /**
   * Also remove this process's own containers that are not in this set (runs that ended while
   * the engine could not remove their container, e.g. left `Created` or exited by a restart).
   */
  ownExcept?: ReadonlySet<string>;
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
        label: [`${SANDBOX_LABEL}=1`, ...Object.entries(options.labels ?? {}).map(([k, v]) => `${k}=${v}`)],
      }),
    });
    const cutoffS = options.olderThanMs === undefined ? Infinity : (Date.now() - options.olderThanMs) / 1000;
    let removed = 0;
    for (const info of containers) {
      const orphan = !ownerAlive(info.Labels[OWNER_LABEL]);
      const expired = info.Created <= cutoffS;
      const ownLeftover = options.ownExcept !== undefined && info.Labels[OWNER_LABEL] === ownerId() && !options.ownExcept.has(info.Id);
      if (!ownLeftover && (options.orphansOnly ? !orphan && !expired : !expired)) continue;
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
