import type { Result } from '@assay/contracts';
import type { GradeOptions, GradeRequest } from '@assay/grader';

/** What the worker needs of the grading engine (`Grader` from @assay/grader satisfies it). */
export interface GradingEngine {
  /** Throws `GradeInputError` (from @assay/grader) when it refuses the request: the worker never retries that. */
  grade(req: GradeRequest, opts?: GradeOptions): Promise<Result>;
  reapOrphans(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
