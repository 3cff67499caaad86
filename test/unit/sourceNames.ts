// What a source file writes out: every string literal, template part and property name, read from
// the syntax tree (comments are not nodes). For the architecture rules that a name lives in a table.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

export function writtenNames(path: string): Set<string> {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.add(node.text);
    else if ((ts.isPropertyAssignment(node) || ts.isPropertySignature(node) || ts.isShorthandPropertyAssignment(node)) && ts.isIdentifier(node.name))
      out.add(node.name.text);
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) out.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** For each name, the files under src/ and webview/ (relative to `root`, with /) that write it. */
export function filesWriting(root: string, names: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const path of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'webview'))]) {
    const rel = relative(root, path).split('\\').join('/');
    const written = writtenNames(path);
    for (const n of names) if (written.has(n)) found.get(n)?.push(rel);
  }
  return found;
}
