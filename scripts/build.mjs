// Builds every bundle with esbuild. Type checking is `npm run typecheck` (tsc --noEmit), run by the
// test script, because esbuild strips types without checking them.
//   dist/extension.js  VS Code host glue (node, cjs, `vscode` external)
//   dist/job.js        the job process the host forks (tfjs + wasm binaries beside it)
//   dist/cli.js        the `salun` command (same engine)
//   dist/trainWorker.js a data-parallel training thread (config `workers` > 1), started by job.js / cli.js
//   dist/webview.js    the side panel (browser, iife; no vscode, no tfjs)
//   dist/dawn/<p>/     Dawn's dawn.node for one platform (the host's, or SALUN_DAWN_TARGET's: a vsce
//                      target, which scripts/package.mjs sets for a platform-specific .vsix)
//   out/**             every .ts transpiled file by file, for the mocha unit and host suites
//   schemas/salun-config.schema.json  the run config's JSON Schema for editors (write-schema.mjs)
// --outdir <dir>: the bundles, wasm and Dawn go there instead of dist/, and out/ is skipped
// (scripts/package.mjs builds each platform package in a folder of its own: dist/ is shared with
// everyone's dev builds, which would otherwise swap files under a package being made).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget, stageDawn, TARGET_DAWN_FOLDERS } from './dawn.mjs';
import { writeConfigSchema } from './write-schema.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdirAt = process.argv.indexOf('--outdir');
const distDir = outdirAt >= 0 ? resolve(process.argv[outdirAt + 1]) : join(root, 'dist');

// Native TensorFlow is optional and loaded at run time when present; never bundle it.
const nativeTf = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

// The version every run's config.json records (src/engine/pipeline/shared/versions.ts): package.json's, so
// that a run names the release that made it. A development build says `+dev` after it: its code may
// differ from that release's. The package is made from a production build only (scripts/package.mjs).
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const define = { SALUN_VERSION: JSON.stringify(production ? version : `${version}+dev`) };

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root, define };

const allBuilds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: join(distDir, 'extension.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nativeTf],
  },
  {
    ...common,
    entryPoints: ['src/job/main.ts'],
    outfile: join(distDir, 'job.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...nativeTf, '*.wasm'],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: join(distDir, 'cli.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...nativeTf, '*.wasm'],
  },
  // Beside job.js and cli.js: the training pool starts it as join(__dirname, 'trainWorker.js').
  {
    ...common,
    entryPoints: ['src/engine/train/trainWorker.ts'],
    outfile: join(distDir, 'trainWorker.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...nativeTf, '*.wasm'],
  },
  { ...common, entryPoints: ['webview/main.ts'], outfile: join(distDir, 'webview.js'), platform: 'browser', format: 'iife', target: 'es2022' },
];
const builds = allBuilds.filter((b) => existsSync(join(root, b.entryPoints[0])));

function tsFiles(dir) {
  const abs = join(root, dir);
  let found = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) found = found.concat(tsFiles(join(dir, name)));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(relative(root, p));
  }
  return found;
}

const transpiled = {
  entryPoints: ['src', 'test', 'bench', 'webview'].flatMap((d) => {
    try {
      return tsFiles(d);
    } catch {
      return [];
    }
  }),
  outdir: 'out',
  outbase: '.',
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  define,
};

const transpileUnlessOutdir = outdirAt >= 0 ? [] : [transpiled];

function copyWasmBinaries() {
  // The wasm backend loads its .wasm files from beside the bundle that contains it.
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  mkdirSync(distDir, { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.wasm'))) cpSync(join(src, f), join(distDir, f));
}

copyWasmBinaries();
// schemas/salun-config.schema.json, shipped in the package for the editor's `*.salun.json` check.
await writeConfigSchema();
// SALUN_DAWN_TARGET (a vsce target): scripts/package.mjs building another platform's package.
// A host Dawn has no build for (FreeBSD, 32-bit ARM) still builds: webgpu then reports itself unavailable.
const dawnTarget = process.env.SALUN_DAWN_TARGET || hostTarget();
if (process.env.SALUN_DAWN_TARGET || dawnTarget in TARGET_DAWN_FOLDERS) stageDawn(dawnTarget, distDir);
else console.warn(`[build] no Dawn build for ${dawnTarget}: the webgpu backend will be unavailable`);
if (watch) {
  const contexts = await Promise.all([...builds, ...transpileUnlessOutdir].map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching');
} else {
  await Promise.all([...builds, ...transpileUnlessOutdir].map((b) => esbuild.build(b)));
}
