import type { Suites } from './suites';

/**
 * Imports a problem's suites bundle (one self-contained ES module) from memory, through a data:
 * URL: hidden tests never touch a filesystem a subject could read. Used by the driver, the package
 * validator and the catalogue (sample test names).
 */
export async function importSuitesBundle(bundle: string): Promise<Suites> {
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(bundle).toString('base64')}`)) as { default?: Partial<Suites> };
  if (!Array.isArray(mod.default?.correctness))
    throw new Error('suites.ts has no default export with a correctness suite (use `export default defineSuites({...})`)');
  return mod.default as Suites;
}
