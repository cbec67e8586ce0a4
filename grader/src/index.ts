export { Grader, GradeInputError, GRADER_VERSION } from './Grader';
export type { GraderOptions, GradeRequest, GradeOptions } from './Grader';
export { SandboxUnavailableError, RunnerImage } from './runner';
export { decideVerdict, scoreSuites } from './verdict';
export { findStaticHints } from './analysis/staticHints';
export * from './validation/PackageValidator';
export * from './mutation';
