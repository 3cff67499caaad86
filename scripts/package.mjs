#!/usr/bin/env node
// Platform-specific .vsix packages: each carries Dawn's binary for its own platform only
// (dist/dawn/<platform>/), so the installed extension runs webgpu with no node_modules. The
// marketplace serves each user the package of their platform.
//   node scripts/package.mjs                     the host's target       → dist/salun-lab-<t>.vsix
//   node scripts/package.mjs --target win32-x64  one target (linux-x64, linux-arm64, darwin-x64,
//                                                darwin-arm64, win32-x64, win32-arm64)
//   node scripts/package.mjs --all               every target
// Each package is made in a folder of its own (.cache/package/<target>/): the production build goes
// there (build.mjs --outdir), with package.json, the README, the licence, media/ and data/, and vsce
// packs that folder. The shared dist/ is never touched, so a dev build running at the same time
// cannot put its bundles or its platform's Dawn into a package. The staged package.json drops
// `vscode:prepublish`: the build has run, and vsce would run it again into dist/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dawnFolder, hostTarget, TARGET_DAWN_FOLDERS } from './dawn.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What the .vsix carries besides dist/ (.vscodeignore has the final say on files inside them). */
const COPIED = ['README.md', 'CHANGELOG.md', '.vscodeignore', 'media', 'data', 'docs', 'schemas'];

function parseTargets(argv) {
  if (argv.includes('--all')) return Object.keys(TARGET_DAWN_FOLDERS);
  const i = argv.indexOf('--target');
  if (i < 0) return [hostTarget()];
  const t = argv[i + 1];
  if (!t) throw new Error('--target needs a value');
  return [t];
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

function stage(target) {
  const dir = join(root, '.cache', 'package', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', '--outdir', join(dir, 'dist')], {
    cwd: root,
    env: { ...process.env, SALUN_DAWN_TARGET: target },
  });
  const licences = readdirSync(root).filter((f) => /^LICEN[SC]E(\.(md|txt))?$/i.test(f));
  for (const f of [...COPIED, ...licences]) if (existsSync(join(root, f))) cpSync(join(root, f), join(dir, f), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  delete manifest.scripts['vscode:prepublish'];
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

function vsce(dir, target, out) {
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  // The README links docs/ and media/ relatively: both ship inside the package, and no repository URL
  // is published to rewrite them against.
  run(bin, ['package', '--target', target, '--no-dependencies', '--no-rewrite-relative-links', '-o', out], { cwd: dir });
}

let code = 0;
try {
  const targets = parseTargets(process.argv.slice(2));
  for (const t of targets) dawnFolder(t); // every name checked before the first (slow) package
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (const target of targets) {
    const out = join(root, 'dist', `salun-lab-${target}.vsix`);
    const dir = stage(target);
    vsce(dir, target, out);
    rmSync(dir, { recursive: true, force: true });
    console.log(`[package] ${relative(root, out)}: ${(statSync(out).size / 1e6).toFixed(1)} MB (Dawn: ${dawnFolder(target)})`);
  }
} catch (e) {
  console.error(`[package] ${e instanceof Error ? e.message : e}`);
  code = 1;
}
process.exit(code);
