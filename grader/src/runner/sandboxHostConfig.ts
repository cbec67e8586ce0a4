/**
 * Every hardening setting of a sandbox container, in one place, so the runner and the CLI
 * benchmark apply exactly the same ones (DESIGN.md, "The sandbox").
 */
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { IMAGE_PATHS, UIDS } from '@assay/container/wire';

/** Docker's default profile minus ptrace, process_vm_* and io_uring, as JSON text (not a path). */
export const SECCOMP_PROFILE: string = JSON.stringify(JSON.parse(readFileSync(new URL('./seccomp.json', import.meta.url), 'utf8')));

export const SANDBOX_LABEL = 'assay.sandbox';
export const SUBMISSION_LABEL = 'assay.submission';
/** `<hostname>:<pid>` of the grader that made the container (see ContainerReaper). */
export const OWNER_LABEL = 'assay.owner';

/** Node and esbuild need nothing else; host vars (NODE_EXTRA_CA_CERTS…) would cost start-up time and leak. */
export const SANDBOX_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp'];

export const PIDS_LIMIT = 256;
export const NOFILE = 1024;
export const FSIZE_BYTES = 64 * 1024 * 1024;

export interface Limits {
  memoryMb: number;
  wallMs: number;
}

/** RLIMIT_CPU backstop: a little over the wall clock, which our own timer enforces first. */
export function cpuLimitSeconds(wallMs: number): number {
  return Math.ceil(wallMs / 1000) + 1;
}

/** The tmpfs mounts; the paths do not exist in the image, so mode= applies. */
export function sandboxTmpfs(): Record<string, string> {
  const owned = (uid: number) => `rw,noexec,nosuid,nodev,size=64m,uid=${uid},gid=${uid},mode=0700`;
  return {
    [IMAGE_PATHS.candidateDir]: owned(UIDS.candidate),
    [IMAGE_PATHS.referenceDir]: owned(UIDS.reference),
    '/tmp': 'rw,noexec,nosuid,nodev,size=16m,mode=1777',
  };
}

/** @types/dockerode predates CgroupnsMode (API 1.41); the engine takes it. */
export type SandboxHostConfig = Docker.HostConfig & { CgroupnsMode: 'private' | 'host' };

export function sandboxHostConfig(limits: Limits): SandboxHostConfig {
  const memory = limits.memoryMb * 1024 * 1024;
  const cpuSeconds = cpuLimitSeconds(limits.wallMs);
  return {
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    // The driver stays root only to spawn the candidate/reference uids and to kill them.
    CapDrop: ['ALL'],
    CapAdd: ['SETUID', 'SETGID', 'KILL'],
    SecurityOpt: ['no-new-privileges', `seccomp=${SECCOMP_PROFILE}`],
    // Counts threads too (node has ~11); the nproc ulimit would be per host uid across containers.
    PidsLimit: PIDS_LIMIT,
    Memory: memory,
    MemorySwap: memory,
    OomKillDisable: false,
    NanoCpus: 1_000_000_000,
    Ulimits: [
      { Name: 'nofile', Soft: NOFILE, Hard: NOFILE },
      { Name: 'core', Soft: 0, Hard: 0 },
      { Name: 'fsize', Soft: FSIZE_BYTES, Hard: FSIZE_BYTES },
      { Name: 'cpu', Soft: cpuSeconds, Hard: cpuSeconds },
    ],
    Tmpfs: sandboxTmpfs(),
    IpcMode: 'none',
    CgroupnsMode: 'private',
    Init: true,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    AutoRemove: false,
  };
}

/**
 * The same settings as `docker run` flags (for the benchmark floor). The CLI reads the seccomp
 * profile from a file and sends its text, so it takes a path where the API takes the JSON.
 */
export function sandboxCliFlags(limits: Limits, seccompFile: string): string[] {
  const memory = `${limits.memoryMb}m`;
  const cpuSeconds = cpuLimitSeconds(limits.wallMs);
  const flags = [
    '--network=none',
    '--read-only',
    '--cap-drop=ALL',
    '--cap-add=SETUID',
    '--cap-add=SETGID',
    '--cap-add=KILL',
    '--security-opt=no-new-privileges',
    `--security-opt=seccomp=${seccompFile}`,
    `--pids-limit=${PIDS_LIMIT}`,
    `--memory=${memory}`,
    `--memory-swap=${memory}`,
    '--cpus=1',
    `--ulimit=nofile=${NOFILE}:${NOFILE}`,
    '--ulimit=core=0:0',
    `--ulimit=fsize=${FSIZE_BYTES}:${FSIZE_BYTES}`,
    `--ulimit=cpu=${cpuSeconds}:${cpuSeconds}`,
    '--ipc=none',
    '--cgroupns=private',
    '--init',
    '--log-driver=json-file',
    '--log-opt=max-size=1m',
    '--log-opt=max-file=1',
    `--label=${SANDBOX_LABEL}=1`,
    '--stop-timeout=1',
    '--workdir=/',
  ];
  for (const env of SANDBOX_ENV) flags.push(`--env=${env}`);
  for (const [path, opts] of Object.entries(sandboxTmpfs())) flags.push(`--tmpfs=${path}:${opts}`);
  return flags;
}
