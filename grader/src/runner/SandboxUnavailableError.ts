/**
 * The sandbox could not run because of the engine, not the submission: Docker unreachable or
 * restarting, the runner image missing, a container the engine failed to create or start, or
 * stopped from outside mid-run. The worker puts the job back without spending an attempt.
 */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}
