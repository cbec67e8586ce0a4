export * from './app';
export * from './context';
export * from './errors';
export * from './openapi';
export * from './ProgressHub';
export * from './server';
