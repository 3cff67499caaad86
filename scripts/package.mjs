#!/usr/bin/env node
// Platform-specific .vsix packages: each carries Dawn's binary for its own platform only
// (dist/dawn/<platform>/), so the installed extension runs webgpu with no node_modules. The
// marketplace serves each user the package of their platform.
//   node scripts/package.mjs                     the host's target       → dist/salun-lab-<t>.vsix
//   node scripts/package.mjs --target win32-x64  one target (linux-x64, linux-arm64, darwin-x64,
//                                                darwin-arm64, win32-x64, win32-arm64)
//   node scripts/package.mjs --all               every target
// Each package is made in a folder of its own (.cache/package/<target>/): the production build goes
// there (build.mjs --outdir), with package.json and every checkout file .vscodeignore keeps (its `!`
// lines are the one list of what ships: scripts/packageContents.mjs), and vsce packs that folder.
// The .vsix is then checked against that selection: a file .vscodeignore keeps but the package
// lacks fails the packaging. The shared dist/ is never touched, so a dev build running at the same time
// cannot put its bundles or its platform's Dawn into a package. The staged package.json drops
// `vscode:prepublish`: the build has run, and vsce would run it again into dist/.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dawnFolder, hostTarget, TARGET_DAWN_FOLDERS } from './dawn.mjs';
import { BUILD_DIR, IGNORE_FILE, isPackaged, packagePatterns, stagedSourceFiles, zipEntries } from './packageContents.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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
  for (const f of [IGNORE_FILE, ...stagedSourceFiles(root)]) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  delete manifest.scripts['vscode:prepublish'];
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

function filesUnder(dir, rel) {
  return readdirSync(join(dir, rel)).flatMap((name) => (statSync(join(dir, rel, name)).isDirectory() ? filesUnder(dir, `${rel}/${name}`) : [`${rel}/${name}`]));
}

/** vsce renames these at the package root: the marketplace looks for readme.md, changelog.md and a licence with an extension. */
function packedName(f) {
  if (/^readme\.md$/i.test(f) || /^changelog\.md$/i.test(f)) return f.toLowerCase();
  if (/^licen[sc]e$/i.test(f)) return `${f}.txt`;
  return f;
}

/** Fails when the .vsix and .vscodeignore's selection (checkout files and build outputs) disagree, either way. */
function checkPackage(dir, out) {
  const patterns = packagePatterns(root);
  const selected = ['package.json', ...stagedSourceFiles(root, patterns), ...filesUnder(dir, BUILD_DIR).filter((f) => isPackaged(f, patterns))];
  const expected = new Set(selected.map(packedName));
  const packed = new Set(
    zipEntries(out)
      .filter((e) => e.startsWith('extension/') && !e.endsWith('/'))
      .map((e) => e.slice('extension/'.length)),
  );
  const missing = [...expected].filter((f) => !packed.has(f));
  const extra = [...packed].filter((f) => !expected.has(f));
  if (missing.length || extra.length) {
    throw new Error(
      `${relative(root, out)} does not hold what ${IGNORE_FILE} selects:` +
        (missing.length ? `\n  missing: ${missing.join(', ')}` : '') +
        (extra.length ? `\n  not selected: ${extra.join(', ')}` : ''),
    );
  }
  return expected.size;
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
    const files = checkPackage(dir, out);
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `[package] ${relative(root, out)}: ${(statSync(out).size / 1e6).toFixed(1)} MB, ${files} files as ${IGNORE_FILE} selects (Dawn: ${dawnFolder(target)})`,
    );
  }
} catch (e) {
  console.error(`[package] ${e instanceof Error ? e.message : e}`);
  code = 1;
}
process.exit(code);
