export * from './package';
export * from './validator';
