/** This container's cgroup (v1) counters, as the driver reads them. */
import { readFileSync } from 'node:fs';

/** A number from this container's cgroup (v1) files, 0 when unreadable. */
export function cgroupNumber(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

const cgroupMemory = (file: string) => cgroupNumber(`/sys/fs/cgroup/memory/${file}`);

const failcntAtStart = cgroupMemory('memory.failcnt');

/**
 * True once this container's memory cgroup has hit its limit. Near the limit the kernel thrashes
 * (reclaiming page cache) before it OOM-kills, so a memory bomb can outlast a test's timeout:
 * a timeout under this pressure is a memory fault, not a slow program.
 */
export function memoryLimitHit(): boolean {
  if (oomKills() > 0 || cgroupMemory('memory.failcnt') > failcntAtStart) return true;
  const limit = cgroupMemory('memory.limit_in_bytes');
  return limit > 0 && cgroupMemory('memory.max_usage_in_bytes') >= 0.9 * limit;
}

/** Number of OOM kills in this container's memory cgroup (cgroup v1), 0 when unreadable. */
export function oomKills(): number {
  try {
    const m = /oom_kill (\d+)/.exec(readFileSync('/sys/fs/cgroup/memory/memory.oom_control', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
