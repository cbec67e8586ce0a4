/**
 * Static hints for JavaScript/TypeScript: patterns that often make a per-operation method
 * linear or worse. They are only "potential" — a measurement must agree before one is
 * `confirmed` — because `arr.indexOf` on a 3-element array is fine.
 */
import ts from 'typescript';
import { type ComplexityResult, type StaticHint, compareClasses } from '@assay/contracts';

// A Map, not an object literal: candidate code calls `.toString()` and `.constructor()` too.
const SCANNING_CALLS = new Map<string, string>([
  ['shift', '`shift()` moves every element: O(n) per call on large arrays'],
  ['unshift', '`unshift()` moves every element: O(n) per call'],
  ['indexOf', '`indexOf()` scans the collection: O(n) per call'],
  ['lastIndexOf', '`lastIndexOf()` scans the collection: O(n) per call'],
  ['includes', '`includes()` on an array scans it: O(n) per call'],
  ['splice', '`splice()` moves the elements after the index: O(n) per call'],
  ['findIndex', '`findIndex()` scans the collection: O(n) per call'],
  ['filter', '`filter()` copies the whole collection: O(n) per call'],
  ['sort', '`sort()` is O(n log n) each time it runs'],
]);

const LOOPS = new Set([
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.DoStatement,
]);

const MAX_HINTS = 50;

function enclosingMethod(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isFunctionDeclaration(n)) && n.name && ts.isIdentifier(n.name))
      return n.name.text;
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name)) return n.name.text;
  }
  return undefined;
}

function loopDepth(node: ts.Node): number {
  let depth = 0;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (LOOPS.has(n.kind)) depth++;
    if (ts.isFunctionLike(n)) break;
  }
  return depth;
}

function isInConstructor(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (ts.isConstructorDeclaration(n)) return true;
  return false;
}

function scan(file: string, text: string): FoundHint[] {
  const kind = /\.(m|c)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, kind);
  const found: FoundHint[] = [];
  const at = (node: ts.Node, pattern: string, message: string) => {
    if (found.length >= MAX_HINTS) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    found.push({ hint: { file, line, pattern, message }, method: enclosingMethod(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && !isInConstructor(node)) {
      const name = node.expression.name.text;
      const why = SCANNING_CALLS.get(name);
      const inMethod = enclosingMethod(node) !== undefined;
      if (why && (name !== 'sort' || loopDepth(node) > 0) && (inMethod || loopDepth(node) > 0)) at(node, `${name}()`, why);
    }
    if (ts.isSpreadElement(node) && ts.isArrayLiteralExpression(node.parent) && loopDepth(node) > 0)
      at(node, '[...spread] in a loop', 'copying an array on every iteration makes the loop quadratic');
    if (LOOPS.has(node.kind) && loopDepth(node) > 0) at(node, 'nested loop', 'a loop inside a loop over the same input is quadratic');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** A pattern found in the code, before any measurement says whether it matters. */
export interface FoundHint {
  hint: Omit<StaticHint, 'status'>;
  /** The method the pattern sits in, if any (matched against probed operations). */
  method: string | undefined;
}

/**
 * Scans the candidate's files. It parses candidate code, so the host runs it in the analysis
 * worker (see SourceAnalyzer), where a pathological file costs a bounded heap, stack and time.
 */
export function scanStaticHints(files: { path: string; content: string }[]): FoundHint[] {
  const found: FoundHint[] = [];
  for (const f of files) if (/\.(m|c)?(t|j)s$/.test(f.path)) found.push(...scan(f.path, f.content));
  return found.slice(0, MAX_HINTS);
}

/** A hint in a method whose probe measured a class worse than expected becomes `confirmed`. */
export function markStaticHints(found: FoundHint[], complexity: ComplexityResult[]): StaticHint[] {
  const slow = new Set(complexity.filter((c) => compareClasses(c.class, c.expected) > 0).map((c) => c.operation));
  return found
    .slice(0, MAX_HINTS)
    .map(({ hint, method }) => ({ ...hint, status: method !== undefined && slow.has(method) ? 'confirmed' : 'potential' }));
}

/** Both at once, in this thread: for callers that trust the code they scan. */
export function findStaticHints(files: { path: string; content: string }[], complexity: ComplexityResult[]): StaticHint[] {
  return markStaticHints(scanStaticHints(files), complexity);
}
