// The layer rules of docs/architecture.md as code: which folder may import which, which packages a layer
// may load, and no import cycles. Pure functions over an import graph, so the test can check the
// real tree and a synthetic one (a rule that cannot fail proves nothing).
import ts from 'typescript';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';

export type Layer = 'protocol' | 'store' | 'engine' | 'extension' | 'cli' | 'job' | 'webview';

/** One import: `to` is a repository path (`src/store/errors.ts`) or a package name (`vscode`). */
export interface ImportEdge {
  from: string;
  to: string;
  kind: 'file' | 'package';
  /** `import type` / `export type … from`: erased by the compiler, so it loads nothing at run time. */
  typeOnly: boolean;
}

/** The arrows of the architecture drawing: the layers each layer may import (itself included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  protocol: ['protocol'],
  store: ['store', 'protocol'],
  engine: ['engine', 'store', 'protocol'],
  // The host reaches tensor work only through the job process (a fork), never by import.
  extension: ['extension', 'store', 'protocol'],
  cli: ['cli', 'engine', 'store', 'protocol'],
  job: ['job', 'engine', 'store', 'protocol'],
  webview: ['webview', 'protocol'],
};

const LAYER_FOLDERS: readonly (readonly [string, Layer])[] = [
  ['src/protocol/', 'protocol'],
  ['src/store/', 'store'],
  ['src/engine/', 'engine'],
  ['src/extension/', 'extension'],
  ['src/cli/', 'cli'],
  ['src/job/', 'job'],
  ['webview/', 'webview'],
];

export function layerOf(file: string): Layer | undefined {
  return LAYER_FOLDERS.find(([folder]) => file.startsWith(folder))?.[1];
}

/** tfjs and the WebGPU binding: the tensor stack, which only the engine loads. */
function isTensorPackage(name: string): boolean {
  return name.startsWith('@tensorflow/') || name === 'webgpu';
}

function isNodeBuiltin(name: string): boolean {
  return name.startsWith('node:') || builtinModules.includes(name);
}

/** What a layer may not load from outside the repository, or undefined when the package is fine. */
function packageProblem(layer: Layer, name: string): string | undefined {
  // protocol is data and types that every layer shares, the browser bundle included.
  if (layer === 'protocol') return 'protocol imports no package';
  if (layer === 'webview' && isNodeBuiltin(name)) return 'the webview runs in a browser: no Node modules';
  if (name === 'vscode' && layer !== 'extension') return 'only src/extension may import vscode';
  if (isTensorPackage(name) && layer !== 'engine') return 'only src/engine may import tfjs or webgpu';
  return undefined;
}

/** Every import-direction problem, one line each: `from -> to: rule`. */
export function directionProblems(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    if (!from) continue;
    const rule = e.kind === 'file' ? fileProblem(from, e.to) : packageProblem(from, e.to);
    if (rule) problems.push(`${e.from} -> ${e.to}: ${rule}`);
  }
  return problems;
}

function fileProblem(from: Layer, to: string): string | undefined {
  const target = layerOf(to);
  // A data file outside the layers (package.json for the CLI's version) loads no code.
  if (!target) return to.endsWith('.ts') ? `${from} imports code outside the layers` : undefined;
  return MAY_IMPORT[from].includes(target) ? undefined : `${from} may import only ${MAY_IMPORT[from].join(', ')}`;
}

const PIPELINE = 'src/engine/pipeline/';

/** The folder of engine/pipeline/ a file is in: 'top' for dispatch.ts and the runner table, else its first folder. */
function pipelineFolder(file: string): string {
  const rest = file.slice(PIPELINE.length);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : 'top';
}

/**
 * The feature folders of engine/pipeline/, type imports included: shared/ imports only shared/, a
 * task's folder (classification/, generation/) itself and shared/; only the top (the dispatcher)
 * reaches every task. A task that needs another's code has found something to share.
 */
export function pipelineProblems(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    if (e.kind !== 'file' || !e.from.startsWith(PIPELINE) || !e.to.startsWith(PIPELINE)) continue;
    const from = pipelineFolder(e.from);
    const to = pipelineFolder(e.to);
    if (from === 'top' || from === to || to === 'shared') continue;
    problems.push(`${e.from} -> ${e.to}: pipeline/${from}/ may import only itself and pipeline/shared/`);
  }
  return problems;
}

/**
 * Every import cycle among files, each as a closed path [a, b, …, a]: one per strongly connected
 * component (Tarjan), traced through that component so the message names real edges.
 */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind !== 'file') continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  return stronglyConnected(next)
    .filter((c) => c.length > 1 || (next.get(c[0]) ?? []).includes(c[0]))
    .map((c) => cycleThrough(c, next));
}

function stronglyConnected(next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    components.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return components;
}

/** A shortest path from the component's first file back to itself, inside the component (BFS). */
function cycleThrough(component: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[] {
  const inside = new Set(component);
  const start = component[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}

/** The imports a source file makes: static imports, `export … from`, `import()` and `require()` of a literal. */
export function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && isLoaderCall(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * `import type { A }` and `import { type A, type B }` (every name a type, no default, no namespace)
 * are erased from the output, as our tsconfig sets no verbatimModuleSyntax.
 */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isLoaderCall(node: ts.CallExpression): boolean {
  return node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require');
}

/**
 * A specifier as a graph node: a relative one becomes the repository path of the file it names
 * (`x.ts`, `x/index.ts`, or `x` itself for data such as a .json), a bare one its package name
 * (`@scope/name` or `name`).
 */
export function resolveImport(from: string, specifier: string, exists: (path: string) => boolean): Pick<ImportEdge, 'to' | 'kind'> {
  if (!specifier.startsWith('.')) {
    const parts = specifier.split('/');
    return { to: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0], kind: 'package' };
  }
  const base = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '');
  const candidates = [`${base}.ts`, `${base}/index.ts`, base];
  return { to: candidates.find(exists) ?? `${base}.ts`, kind: 'file' };
}

/**
 * True when a file's every statement is an `export … from` (comments aside): a file that only
 * passes names on adds a path to learn and hides where a thing lives; import from its home.
 */
export function onlyReExports(fileName: string, text: string): boolean {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return source.statements.length > 0 && source.statements.every((s) => ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined);
}
