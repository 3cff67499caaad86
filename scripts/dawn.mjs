// Dawn's prebuilt Node binding (npm `webgpu`: node_modules/webgpu/dist/<platform>/dawn.node, plus
// the DirectX shader compiler DLLs on Windows) staged beside the bundles as dist/dawn/<platform>/,
// where src/engine/backend/webgpu/backend.ts looks first: the installed .vsix has no node_modules.
// One platform per package: a platform-specific .vsix (vsce --target) carries only its own.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(root, 'node_modules', 'webgpu', 'dist');

/** vsce's targets this extension is packaged for, each with the `webgpu` package's folder. */
export const TARGET_DAWN_FOLDERS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

/** The vsce target of this machine (what `npm run package` builds). */
export function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

/** The `webgpu` package's folder name for a platform: as dawnPlatform() in webgpu.ts computes it. */
export function dawnFolder(target) {
  const folder = TARGET_DAWN_FOLDERS[target];
  if (!folder) throw new Error(`no Dawn build for '${target}'; targets: ${Object.keys(TARGET_DAWN_FOLDERS).join(', ')}`);
  return folder;
}

/**
 * Replaces <distDir>/dawn/ with exactly one platform's folder (every file in it: Windows loads the
 * DLLs from beside dawn.node). Returns the staged folder.
 */
export function stageDawn(target, distDir = join(root, 'dist')) {
  const dawnDir = join(distDir, 'dawn');
  const folder = dawnFolder(target);
  const from = join(SOURCE, folder);
  if (!existsSync(join(from, 'dawn.node')))
    throw new Error(`${join(from, 'dawn.node')} is missing; run npm ci (the webgpu package ships every platform's binary)`);
  const to = join(dawnDir, folder);
  if (sameFiles(from, to) && readdirSync(dawnDir).length === 1) return to;
  // Removed, then copied: a process that has dawn.node loaded keeps the old file (a new inode);
  // copying over it in place could crash that process.
  rmSync(dawnDir, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) cpSync(join(from, f), join(to, f), { preserveTimestamps: true });
  return to;
}

/** Every build stages Dawn; an unchanged copy is left alone (21 MB, and maybe loaded by a job). */
function sameFiles(from, to) {
  if (!existsSync(to)) return false;
  const names = readdirSync(from);
  if (readdirSync(to).length !== names.length) return false;
  return names.every((f) => {
    const a = statSync(join(from, f));
    const b = statSync(join(to, f), { throwIfNoEntry: false });
    return b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
  });
}
