export { RunnerImage, RUNNER_REPOSITORY, esbuildBinary, sharedLibraries } from '../image/RunnerImage';
export type { RunnerImageOptions } from '../image/RunnerImage';
export { SandboxRunner } from './SandboxRunner';
export { SandboxUnavailableError } from './SandboxUnavailableError';
export type { RunSpec, RunOutcome } from './SandboxRunner';
export { ContainerReaper } from './ContainerReaper';
export type { ReapOptions } from './ContainerReaper';
export { OutputCapture } from './OutputCapture';
export { SANDBOX_LABEL, SUBMISSION_LABEL, SECCOMP_PROFILE, sandboxHostConfig, sandboxCliFlags } from './sandboxHostConfig';
