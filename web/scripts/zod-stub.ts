/**
 * What `zod` resolves to in the browser bundle (web/scripts/build.ts aliases it here). The page takes
 * only types and zod-free values (`describeProgress`, `SUBMISSION_STATUSES`) from @assay/contracts,
 * but the modules holding them also build schemas when they load, and esbuild keeps a call it cannot
 * prove pure: the real zod would add ~420 KiB to the page. Building a schema here does nothing;
 * validating with one throws, so a page that starts to rely on zod fails loudly instead of silently.
 */
const VALIDATE = new Set(['parse', 'safeParse', 'parseAsync', 'safeParseAsync', 'spa', 'decode', 'encode', 'safeDecode', 'safeEncode']);

function refuse(): never {
  throw new Error('zod is not in the browser bundle (web/scripts/zod-stub.ts): validate on the server, or use a zod-free function');
}

const schema: unknown = new Proxy(function zodStub() {}, {
  get(_target, key) {
    if (key === 'then') return undefined; // not a thenable: `await` on it must not hang
    if (key === Symbol.toPrimitive) return () => '[zod stub]';
    return typeof key === 'string' && VALIDATE.has(key) ? refuse : schema;
  },
  apply: () => schema,
  construct: () => schema as object,
});

export const z = schema;
export default schema;
