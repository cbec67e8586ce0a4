/**
 * Runs in a worker thread (see SourceAnalyzer), one job at a time: the static hints scan, and the
 * type check of a TypeScript submission with the compiler API. The compiler host serves only the
 * submission's files (from memory) and the TypeScript and @types libraries: candidate imports
 * cannot make it read anything else on the host. Library files are parsed once and reused.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type * as TS from 'typescript';
import { scanStaticHints } from './staticHints';

export type AnalysisKind = 'types' | 'hints';

export interface AnalysisRequest {
  id: number;
  kind: AnalysisKind;
  files: { path: string; content: string }[];
}

export type AnalysisReply = { id: number; value: unknown } | { id: number; error: string };

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

function check(req: AnalysisRequest) {
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
        // Capped: a message can print a type of any size.
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`.slice(0, 2000),
      };
    });
}

parentPort!.on('message', (req: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    reply = { id: req.id, value: req.kind === 'types' ? check(req) : scanStaticHints(req.files) };
  } catch (e) {
    // A stack overflow on absurdly nested code lands here too: that job fails, the worker lives on.
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
