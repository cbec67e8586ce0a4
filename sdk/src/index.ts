/**
 * The authoring SDK: what a problem's `suites.ts` imports.
 *
 * Suites are trusted code. They run inside the sandbox in the driver process, which holds the
 * hidden tests; candidate code runs in a separate, unprivileged subject process and is reached
 * only through the context's `construct` / `fn` (typed) or `subject` (raw). Everything a test
 * observes (return values, thrown errors, timings) is observed here, on the driver side.
 *
 * Everything here is bundled into the driver: nothing may touch the filesystem or esbuild
 * (the host-side package loader is `@assay/sdk/package`, never re-exported here).
 */
export * from './suites';
export * from './context';
export * from './remote';
export * from './errors';
export * from './values';
export * from './expect';
export * from './concurrency';
export * from './http';
export * from './model';
export * from './random';
export * from './bundle';
export * from './fakes/latency';
export * from './fakes/clock';
export * from './fakes/storeArgs';
export * from './fakes/store';
export * from './fakes/gateway';
