/**
 * Runs in a worker thread (see TypeChecker): type-checks a TypeScript submission with the
 * compiler API. The compiler host serves only the submission's files (from memory) and the
 * TypeScript and @types libraries: candidate imports cannot make it read anything else on the
 * host. Library files are parsed once and reused across checks.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type * as TS from 'typescript';

interface Request {
  id: number;
  files: { path: string; content: string }[];
}

const { typescriptPath, typeRoots } = workerData as { typescriptPath: string; typeRoots: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require(typescriptPath) as typeof TS;
const libDir = path.dirname(typescriptPath);
const ROOT = '/submission';
const allowed = (file: string) => file.startsWith(`${libDir}/`) || file.startsWith(`${typeRoots}/`);

const options: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  typeRoots: [typeRoots],
  // Lenient on purpose: real type errors fail, style choices (implicit any, nullability) do not.
  strict: false,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  allowJs: true,
  checkJs: false,
};

const libCache = new Map<string, TS.SourceFile | undefined>();

function check(req: Request) {
  const own = new Map(req.files.map((f) => [path.posix.join(ROOT, f.path), f.content]));
  const host: TS.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const text = own.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      if (!allowed(fileName)) return undefined;
      if (!libCache.has(fileName)) {
        const content = ts.sys.readFile(fileName);
        libCache.set(fileName, content === undefined ? undefined : ts.createSourceFile(fileName, content, languageVersion, true));
      }
      return libCache.get(fileName);
    },
    getDefaultLibFileName: (o) => path.join(libDir, ts.getDefaultLibFileName(o)),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => ROOT,
    getDirectories: (dir) => (allowed(`${dir}/`) ? ts.sys.getDirectories(dir) : []),
    directoryExists: (dir) =>
      dir === ROOT || dir.startsWith(`${ROOT}/`) || ((allowed(`${dir}/`) || dir === typeRoots) && ts.sys.directoryExists(dir)),
    fileExists: (f) => own.has(f) || (allowed(f) && ts.sys.fileExists(f)),
    readFile: (f) => own.get(f) ?? (allowed(f) ? ts.sys.readFile(f) : undefined),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
  };
  const roots = [...own.keys()].filter((f) => /\.(m|c)?ts$/.test(f));
  const program = ts.createProgram(roots, options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file && own.has(d.file.fileName))
    .slice(0, 50)
    .map((d) => {
      const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return {
        file: path.posix.relative(ROOT, d.file!.fileName),
        line: line + 1,
        column: character + 1,
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      };
    });
}

parentPort!.on('message', (req: Request) => {
  try {
    parentPort!.postMessage({ id: req.id, diagnostics: check(req) });
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: (e as Error).message });
  }
});
