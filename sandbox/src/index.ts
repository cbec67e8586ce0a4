export { Grader, GradeInputError, GRADER_VERSION } from './grader';
export type { GraderOptions, GradeRequest, GradeOptions } from './grader';
export { decideVerdict, scoreSuites } from './verdict';
export { fitGrowth, complexityHint } from './analysis/complexity';
export { findStaticHints } from './analysis/staticHints';
