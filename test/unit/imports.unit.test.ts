// Architecture rules as a test (docs/architecture.md, "Layers"): protocol imports nothing of ours;
// store only protocol (and no tfjs); engine no host, CLI, webview or vscode; the extension never the
// engine (tensor work runs in the job process); the webview only protocol. And no import cycles.
// The bundle-size test (bundles.unit.test.ts) catches tfjs in the host bundle after the fact; this
// one names the import that would put it there.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { directionProblems, importCycles, importsOf, onlyReExports, pipelineProblems, resolveImport, type ImportEdge } from './importRules';

const root = join(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function repoPath(abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

function sourceGraph(): { files: string[]; edges: ImportEdge[] } {
  const files = ['src', 'webview']
    .flatMap((d) => tsFiles(join(root, d)))
    .map(repoPath)
    .sort();
  const edges = files.flatMap((from) =>
    importsOf(from, readFileSync(join(root, from), 'utf8')).map(({ specifier, typeOnly }) => ({
      from,
      typeOnly,
      ...resolveImport(from, specifier, (p) => existsSync(join(root, p)) && statSync(join(root, p)).isFile()),
    })),
  );
  return { files, edges };
}

function edge(from: string, to: string, typeOnly = false): ImportEdge {
  return { from, to, typeOnly, kind: /\.(ts|json)$/.test(to) ? 'file' : 'package' };
}

describe('import rules', () => {
  const { files, edges } = sourceGraph();

  it('reads the real tree (so an empty graph cannot pass the checks below)', () => {
    assert.ok(files.some((f) => f.startsWith('src/store/')) && files.some((f) => f.startsWith('webview/')));
    assert.ok(
      edges.some((e) => e.from === 'src/engine/tf.ts' && e.to === '@tensorflow/tfjs'),
      "the engine's tfjs import is not seen",
    );
    assert.ok(
      edges.some((e) => e.from === 'src/extension/panel/saliencyPreview.ts' && e.to === 'src/store/saliency/mask.ts'),
      'a host → store import is not seen',
    );
    const unresolved = edges.filter((e) => e.kind === 'file' && !existsSync(join(root, e.to)));
    assert.deepEqual(unresolved, [], 'every relative import resolves to a file');
  });

  it('every import points the way the layers allow', () => {
    assert.deepEqual(directionProblems(edges), []);
  });

  it("engine/pipeline's folders: shared/ imports no task, a task not the other; only the dispatcher reaches both", () => {
    assert.ok(
      edges.some((e) => e.from.startsWith('src/engine/pipeline/generation/') && e.to.startsWith('src/engine/pipeline/shared/')),
      'a task → shared import is not seen',
    );
    assert.deepEqual(pipelineProblems(edges), []);
    const wrong = [
      edge('src/engine/pipeline/shared/a.ts', 'src/engine/pipeline/classification/b.ts', true),
      edge('src/engine/pipeline/generation/a.ts', 'src/engine/pipeline/classification/b.ts'),
      edge('src/engine/pipeline/classification/a.ts', 'src/engine/pipeline/dispatch.ts'),
    ];
    const fine = [
      edge('src/engine/pipeline/jobRunners.ts', 'src/engine/pipeline/generation/job.ts'),
      edge('src/engine/pipeline/generation/a.ts', 'src/engine/pipeline/shared/b.ts'),
      edge('src/engine/pipeline/classification/a.ts', 'src/engine/pipeline/classification/b.ts'),
      edge('src/cli/a.ts', 'src/engine/pipeline/classification/b.ts'),
      edge('src/engine/pipeline/generation/a.ts', 'src/engine/generation/b.ts'),
    ];
    assert.deepEqual(
      pipelineProblems([...wrong, ...fine]).map((p) => p.slice(0, p.indexOf(': '))),
      wrong.map((e) => `${e.from} -> ${e.to}`),
    );
  });

  it('no import cycles at run time', () => {
    // `import type` is left out here: the compiler erases it, so it loads nothing and cannot give
    // the half-initialised module a run-time cycle does (an undefined import at load time). The
    // type-only cycles are held by the next case instead.
    const cycles = importCycles(edges.filter((e) => !e.typeOnly));
    assert.deepEqual(
      cycles.map((c) => c.join(' -> ')),
      [],
    );
  });

  it('no new cycle through type-only imports (the known ones may only go away)', () => {
    // Each closes through a type declared beside the code that uses the importer; breaking one
    // means moving that type into a file of its own (or to protocol), which its owner does.
    const known = new Set([
      'src/engine/models/architectures.ts -> src/engine/models/resnet18.ts -> src/engine/models/architectures.ts',
      'src/protocol/config.ts -> src/protocol/methods.ts -> src/protocol/config.ts',
    ]);
    const fresh = importCycles(edges)
      .map((c) => c.join(' -> '))
      .filter((c) => !known.has(c));
    assert.deepEqual(fresh, []);
  });

  it('no file only re-exports (import a thing from its home)', () => {
    assert.deepEqual(
      files.filter((f) => onlyReExports(f, readFileSync(join(root, f), 'utf8'))),
      [],
    );
  });

  it('knows a re-export-only file from one that also declares something', () => {
    assert.equal(onlyReExports('a.ts', "// a note\nexport { x } from './x';\nexport type { Y } from './y';\n"), true);
    assert.equal(onlyReExports('b.ts', "export { x } from './x';\nexport const z = 1;\n"), false);
    assert.equal(onlyReExports('c.ts', "import { x } from './x';\nexport { x };\n"), false);
    assert.equal(onlyReExports('d.ts', '// empty\n'), false);
  });

  it('reads every kind of import, and knows a type-only one', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "import { type C, type D } from './cd';",
      "import { type E, f } from './ef';",
      "import * as g from 'vscode';",
      "export { h } from './h';",
      "export type { I } from './i';",
      "import './sideEffect';",
      "const j = import('./j');",
      "const k = require('@tensorflow/tfjs-node/dist/x');",
      "const notAnImport = load('./l');",
    ].join('\n');
    assert.deepEqual(
      importsOf('src/x/file.ts', text).map((i) => `${i.specifier}${i.typeOnly ? ' (type)' : ''}`),
      ['./a', '../b (type)', './cd (type)', './ef', 'vscode', './h', './i (type)', './sideEffect', './j', '@tensorflow/tfjs-node/dist/x'],
    );
    const none = (): boolean => false;
    assert.deepEqual(resolveImport('src/extension/x.ts', '../store/errors', none), { to: 'src/store/errors.ts', kind: 'file' });
    assert.deepEqual(resolveImport('src/extension/x.ts', '@tensorflow/tfjs-node/dist/x', none), { to: '@tensorflow/tfjs-node', kind: 'package' });
    assert.deepEqual(
      resolveImport('src/cli/main.ts', '../../package.json', (p) => p === 'package.json'),
      { to: 'package.json', kind: 'file' },
    );
  });

  it('reports a wrong direction for each layer rule (a synthetic graph)', () => {
    const wrong = [
      edge('src/protocol/a.ts', 'src/store/b.ts'),
      edge('src/protocol/a.ts', 'node:fs'),
      edge('src/protocol/a.ts', 'some-package'),
      edge('src/store/a.ts', 'src/engine/b.ts'),
      edge('src/store/a.ts', '@tensorflow/tfjs'),
      edge('src/store/a.ts', 'webgpu'),
      edge('src/engine/a.ts', 'src/extension/b.ts'),
      edge('src/engine/a.ts', 'vscode'),
      edge('src/extension/a.ts', 'src/engine/b.ts', true),
      edge('src/extension/a.ts', '@tensorflow/tfjs-node'),
      edge('webview/a.ts', 'src/store/b.ts'),
      edge('webview/a.ts', 'fs'),
      edge('webview/a.ts', 'vscode'),
      edge('webview/a.ts', '@tensorflow/tfjs'),
      edge('src/cli/a.ts', 'src/extension/b.ts'),
    ];
    const fine = [
      edge('src/engine/a.ts', 'src/store/b.ts'),
      edge('src/extension/a.ts', 'vscode'),
      edge('src/cli/a.ts', 'src/engine/b.ts'),
      edge('webview/a.ts', 'src/protocol/b.ts'),
      edge('src/store/a.ts', 'node:fs'),
      edge('src/cli/main.ts', 'package.json'),
      edge('webview/a.ts', '@vscode-elements/elements'),
      edge('src/engine/a.ts', '@tensorflow/tfjs'),
    ];
    const problems = directionProblems([...wrong, ...fine]);
    assert.deepEqual(
      problems.map((p) => p.slice(0, p.indexOf(': '))),
      wrong.map((e) => `${e.from} -> ${e.to}`),
    );
  });

  it('reports each cycle with its files, and not a chain without one (a synthetic graph)', () => {
    const graph = [
      edge('src/engine/methods/unlearn.ts', 'src/engine/methods/scrub.ts'),
      edge('src/engine/methods/scrub.ts', 'src/engine/methods/input.ts'),
      edge('src/engine/methods/input.ts', 'src/engine/methods/unlearn.ts', true),
      edge('src/store/a.ts', 'src/store/b.ts'),
      edge('src/store/b.ts', 'src/store/c.ts'),
      edge('src/store/a.ts', 'src/store/c.ts'),
      edge('src/protocol/self.ts', 'src/protocol/self.ts'),
      edge('src/engine/x.ts', '@tensorflow/tfjs'),
      edge('src/engine/y.ts', '@tensorflow/tfjs'),
    ];
    assert.deepEqual(importCycles(graph), [
      ['src/engine/methods/input.ts', 'src/engine/methods/unlearn.ts', 'src/engine/methods/scrub.ts', 'src/engine/methods/input.ts'],
      ['src/protocol/self.ts', 'src/protocol/self.ts'],
    ]);
  });
});
