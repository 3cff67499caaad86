#!/usr/bin/env node
// Platform-specific .vsix packages: each carries Dawn's binary for its own platform only
// (dist/dawn/<platform>/, 7–25 MB each), so the installed extension runs webgpu with no
// node_modules. The marketplace serves each user the package of their platform.
//   node scripts/package.mjs                     the host's target       → dist/salun-lab-<t>.vsix
//   node scripts/package.mjs --target win32-x64  one target
//   node scripts/package.mjs --all               every target in TARGET_DAWN_FOLDERS
// vsce runs `vscode:prepublish` (the production build) itself; SALUN_DAWN_TARGET tells that build
// which Dawn folder to stage. Afterwards the host's own folder is staged again for development.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dawnFolder, hostTarget, stageDawn, TARGET_DAWN_FOLDERS } from './dawn.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseTargets(argv) {
  if (argv.includes('--all')) return Object.keys(TARGET_DAWN_FOLDERS);
  const i = argv.indexOf('--target');
  if (i < 0) return [hostTarget()];
  const t = argv[i + 1];
  if (!t) throw new Error('--target needs a value');
  return [t];
}

function vsce(target, out) {
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  const r = spawnSync(bin, ['package', '--target', target, '--no-dependencies', '-o', out], {
    cwd: root, stdio: 'inherit', env: { ...process.env, SALUN_DAWN_TARGET: target }, shell: process.platform === 'win32',
  });
  if (r.status !== 0) throw new Error(`vsce package --target ${target} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

let code = 0;
try {
  const targets = parseTargets(process.argv.slice(2));
  for (const t of targets) dawnFolder(t); // every name checked before the first (slow) package
  for (const target of targets) {
    const out = join(root, 'dist', `salun-lab-${target}.vsix`);
    vsce(target, out);
    console.log(`[package] ${relative(root, out)}: ${(statSync(out).size / 1e6).toFixed(1)} MB (Dawn: ${dawnFolder(target)})`);
  }
} catch (e) {
  console.error(`[package] ${e instanceof Error ? e.message : e}`);
  code = 1;
} finally {
  if (hostTarget() in TARGET_DAWN_FOLDERS) stageDawn(hostTarget());
}
process.exit(code);
