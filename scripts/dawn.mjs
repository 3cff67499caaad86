// Dawn's prebuilt Node binding (npm `webgpu`: node_modules/webgpu/dist/<platform>/dawn.node, plus
// the DirectX shader compiler DLLs on Windows) staged beside the bundles as dist/dawn/<platform>/,
// where src/engine/backend/webgpu.ts looks first: the installed .vsix has no node_modules.
// One platform per package: a platform-specific .vsix (vsce --target) carries only its own.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(root, 'node_modules', 'webgpu', 'dist');
export const DAWN_DIR = join(root, 'dist', 'dawn');

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
 * Replaces dist/dawn/ with exactly one platform's folder (every file in it: Windows loads the DLLs
 * from beside dawn.node). Returns the staged folder.
 */
export function stageDawn(target) {
  const folder = dawnFolder(target);
  const from = join(SOURCE, folder);
  if (!existsSync(join(from, 'dawn.node'))) throw new Error(`${join(from, 'dawn.node')} is missing; run npm ci (the webgpu package ships every platform's binary)`);
  rmSync(DAWN_DIR, { recursive: true, force: true });
  const to = join(DAWN_DIR, folder);
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) cpSync(join(from, f), join(to, f));
  return to;
}
