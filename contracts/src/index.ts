export * from './status';
export * from './verdict';
export * from './manifest';
export * from './result';
export * from './progress';
export * from './submission';
export * from './problem';
export * from './api';
