// The .vsix carries every file the installed extension reads at run time. Its contents come from one
// list, .vscodeignore's `!` lines, read by vsce and by scripts/package.mjs through
// scripts/packageContents.mjs (a second list drifts: one that left out models/ made the installed
// generation demo train θo for two hours). Here the files the extension reads are taken
// from where they are named (package.json, the README's links, the store's paths, the sources that
// open each bundle) and each is checked against that selection.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultDataDir } from '../../src/store/data/idxLayout';
import { GEN_DEMO_FILES, GEN_DEMO_MODEL } from '../../src/store/generationDemo';

const root = join(__dirname, '..', '..', '..');

interface Patterns {
  include: string[];
  exclude: string[];
}

/** scripts/packageContents.mjs, as package.mjs uses it. */
interface PackageContents {
  BUILD_DIR: string;
  packagePatterns: (root: string) => Patterns;
  isPackaged: (path: string, patterns: Patterns) => boolean;
  stagedSourceFiles: (root: string, patterns?: Patterns) => string[];
}

async function packageContents(): Promise<PackageContents> {
  return (await import(pathToFileURL(join(root, 'scripts', 'packageContents.mjs')).href)) as PackageContents;
}

const slashed = (p: string): string => p.split(sep).join('/');
const repoPath = (abs: string): string => slashed(relative(root, abs));

function filesUnder(rel: string): string[] {
  return readdirSync(join(root, rel)).flatMap((name) => {
    const p = `${rel}/${name}`;
    return statSync(join(root, p)).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A relative file path as package.json writes them (`./dist/extension.js`, `media/icon.png`); not a codicon, URL or sentence. */
function asFilePath(value: string): string | undefined {
  const p = value.replace(/^\.\//, '');
  return /^[\w.-]+(\/[\w.-]+)+\.\w+$/.test(p) ? p : undefined;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Every file package.json points the editor at: main, the icon, and the files its contributions name (icons, walkthrough images, the schema). */
function manifestFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; icon: string; contributes: unknown };
  const named = [pkg.main, pkg.icon, ...stringsIn(pkg.contributes)].map(asFilePath).filter((p): p is string => p !== undefined);
  return [...new Set(named)].sort();
}

/** A Markdown file's relative links and images, as package paths (the marketplace page and the editor's Markdown preview open them from the package). */
function linksOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g), ...text.matchAll(/src="([^"]+)"/g)].map((m) => m[1].split('#')[0]);
  const dir = posix.dirname(file);
  return targets.filter((t) => t && !/^[a-z]+:/i.test(t)).map((t) => posix.normalize(posix.join(dir, slashed(t))));
}

/** What the README links, and what each shipped page of docs/ links in turn (a report's "see docs/verdict.md" opens it there). */
function readmeFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return [...new Set([...linksOf('README.md'), ...docs.flatMap(linksOf)])].sort();
}

/** The bundles the code opens, each with the source that opens it and how (a rename there must show up here). */
const BUNDLE_READERS: readonly { file: string; source: string; names: string }[] = [
  { file: 'dist/job.js', source: 'src/extension/extension.ts', names: "'dist', 'job.js'" },
  { file: 'dist/webview.js', source: 'src/extension/panel/panelProvider.ts', names: "'dist', 'webview.js'" },
  { file: 'dist/trainWorker.js', source: 'src/engine/train/parallel.ts', names: "'trainWorker.js'" },
];

/** What the installed extension reads from dist/: the bundles, every wasm binary the wasm backend may pick, this platform's Dawn. */
function distFiles(): string[] {
  const wasm = readdirSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'))
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => `dist/${f}`);
  const dawn = existsSync(join(root, 'dist', 'dawn')) ? filesUnder('dist/dawn') : [];
  return [...BUNDLE_READERS.map((b) => b.file), ...wasm, ...dawn].sort();
}

/** Files of the checkout the job reads: the bundled data set and the generation demo's θo. */
function dataFiles(): string[] {
  const data = readdirSync(defaultDataDir())
    .filter((f) => f.endsWith('.gz'))
    .map((f) => repoPath(join(defaultDataDir(), f)));
  const model = GEN_DEMO_FILES.map((f) => slashed(join(GEN_DEMO_MODEL, f)));
  return [...data, ...model];
}

describe('package contents (.vscodeignore is the one list)', () => {
  it('the sources of the run-time file list are read (so an empty list cannot pass)', () => {
    const manifest = manifestFiles();
    for (const f of ['dist/extension.js', 'media/icon.png', 'media/salun.svg', 'schemas/salun-config.schema.json', 'media/walkthrough/generation.png'])
      assert.ok(manifest.includes(f), `package.json's ${f} is not seen: ${manifest.join(', ')}`);
    assert.ok(
      readmeFiles().some((f) => f.startsWith('docs/')),
      `the README's docs links are not seen: ${readmeFiles().join(', ')}`,
    );
    assert.equal(dataFiles().filter((f) => f.startsWith('data/')).length, 4, 'the four idx files of the bundled data');
    for (const b of BUNDLE_READERS)
      assert.ok(readFileSync(join(root, b.source), 'utf8').includes(b.names), `${b.source} no longer opens ${b.file} as ${b.names}`);
  });

  it('every checkout file the installed extension reads is staged by package.mjs (and so kept by .vscodeignore)', async () => {
    const { stagedSourceFiles } = await packageContents();
    const staged = new Set(stagedSourceFiles(root));
    const wanted = [...manifestFiles(), ...readmeFiles(), ...dataFiles(), 'package.json', 'README.md'].filter((f) => !f.startsWith('dist/'));
    const absent = wanted.filter((f) => !existsSync(join(root, f)));
    assert.deepEqual(absent, [], 'named by package.json, the README or the code, but not in the checkout');
    const unstaged = wanted.filter((f) => !staged.has(f));
    assert.deepEqual(unstaged, [], 'read by the installed extension, but not in the package: add a "!" line to .vscodeignore');
  });

  it("every build output the installed extension reads is kept by .vscodeignore, and the build's others are not", async () => {
    const { packagePatterns, isPackaged } = await packageContents();
    const patterns = packagePatterns(root);
    const wanted = [...distFiles(), ...manifestFiles().filter((f) => f.startsWith('dist/'))];
    assert.ok(
      wanted.some((f) => f.startsWith('dist/dawn/')),
      'this platform has a Dawn build in dist/dawn (npm run build stages it)',
    );
    const missing = wanted.filter((f) => !existsSync(join(root, f)));
    assert.deepEqual(missing, [], 'the build does not write these (npm test builds first)');
    assert.deepEqual(
      wanted.filter((f) => !isPackaged(f, patterns)),
      [],
      'read at run time, but .vscodeignore leaves it out',
    );
    // The CLI and source maps are for a checkout; the package stays small without them.
    for (const f of ['dist/cli.js', 'dist/job.js.map', 'dist/extension.js.map']) assert.ok(!isPackaged(f, patterns), `${f} would ship`);
  });

  it('the selection fails without a "!" line: a temp tree with the shipped θo, staged with and without it', async () => {
    const { packagePatterns, stagedSourceFiles } = await packageContents();
    const tmp = mkdtempSync(join(tmpdir(), 'salun-pkg-'));
    try {
      for (const f of [
        'README.md',
        'models/gen-demo/model.json',
        'models/gen-demo/weights.bin',
        'models/gen-demo/meta.json',
        'models/gen-demo/README.md',
        'src/x.ts',
      ]) {
        mkdirSync(dirname(join(tmp, f)), { recursive: true });
        writeFileSync(join(tmp, f), 'x');
      }
      const real = readFileSync(join(root, '.vscodeignore'), 'utf8');
      writeFileSync(join(tmp, '.vscodeignore'), real);
      assert.deepEqual(stagedSourceFiles(tmp), ['README.md', 'models/gen-demo/meta.json', 'models/gen-demo/model.json', 'models/gen-demo/weights.bin']);
      writeFileSync(join(tmp, '.vscodeignore'), real.replace(/^!models\/.*$/gm, ''));
      assert.deepEqual(stagedSourceFiles(tmp), ['README.md'], 'without the models lines, the θo is not staged');
      writeFileSync(join(tmp, '.vscodeignore'), '**\n!**/model.json\n');
      assert.throws(() => packagePatterns(tmp), /must start with the folder or file it keeps/);
      writeFileSync(join(tmp, '.vscodeignore'), '**\n!models/{a,b}/**\n');
      assert.throws(() => packagePatterns(tmp), /syntax the package script does not read/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('package.mjs keeps no list of its own: it stages what packageContents.mjs selects and checks the .vsix against it', () => {
    const text = readFileSync(join(root, 'scripts', 'package.mjs'), 'utf8');
    assert.match(text, /stagedSourceFiles\(root\)/);
    assert.match(text, /checkPackage\(/);
    assert.doesNotMatch(text, /['"](media|data|docs|schemas|models)['"]/, 'a folder named in package.mjs is a second list');
  });
});
