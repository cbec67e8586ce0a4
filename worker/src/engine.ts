import type { Result } from '@assay/contracts';
import type { GradeOptions, GradeRequest } from '@assay/grader';

/** What the worker needs of the grading engine (`Grader` from @assay/grader satisfies it). */
export interface GradingEngine {
  /**
   * Throws `GradeInputError` (from @assay/grader) when it refuses the request: the worker never
   * retries that; `SandboxUnavailableError` when the engine failed the run: the job goes back
   * without spending an attempt.
   */
  grade(req: GradeRequest, opts?: GradeOptions): Promise<Result>;
  reapOrphans(): Promise<number>;
  /** Throws `SandboxUnavailableError` unless the engine answers and holds the runner image (default: `ping`). */
  checkSandbox?(): Promise<void>;
  /** After an outage: removes containers whose run ended while the engine was away (default: `reapOrphans`). */
  sweepAfterOutage?(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
