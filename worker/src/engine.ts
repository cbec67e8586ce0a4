import type { ProblemPackage, SourceFile, Language, ProgressEvent, Result } from '@assay/contracts';

/** What the worker needs of the grading engine (`Grader` from @assay/grader satisfies it). */
export interface GradingEngine {
  grade(
    req: { problem: ProblemPackage; language: Language; files: SourceFile[]; queuedAt?: string },
    opts?: { submissionId?: string; onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal },
  ): Promise<Result>;
  reapOrphans(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
