export * from './mutantPackage';
export * from './strykerReport';
export * from './equivalents';
export * from './summary';
