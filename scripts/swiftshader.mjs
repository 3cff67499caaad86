// WebGPU without a GPU: Dawn on SwiftShader, the CPU implementation of Vulkan that Debian's
// chromium-common ships. Writes an ICD manifest whose library_path is absolute (Chromium's own says
// ./libvk_swiftshader.so, relative to its folder) and returns the environment that makes Dawn's
// Vulkan loader find it. Mesa's lavapipe (Debian 12) is refused by Dawn: a missing Vulkan feature.
//   node scripts/swiftshader.mjs        prints `export …` lines for a shell (eval "$(…)")
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARY = '/usr/lib/chromium/libvk_swiftshader.so';
const LOADER = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'];

/** What is missing for SwiftShader, as apt packages: empty when it is ready. */
export function swiftShaderMissing() {
  const missing = [];
  if (!existsSync(LIBRARY)) missing.push('chromium-common');
  if (!LOADER.some((p) => existsSync(p))) missing.push('libvulkan1');
  return missing;
}

/** Environment variables for a process that should see SwiftShader as its only Vulkan device. */
export function swiftShaderEnv() {
  const missing = swiftShaderMissing();
  if (missing.length) throw new Error(`SwiftShader is not installed: apt-get install ${missing.join(' ')}`);
  const dir = join(root, '.cache', 'swiftshader');
  mkdirSync(join(dir, 'xdg'), { recursive: true, mode: 0o700 });
  const icd = join(dir, 'vk_swiftshader_icd.json');
  writeFileSync(icd, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: LIBRARY, api_version: '1.0.5' } }));
  return { VK_ICD_FILENAMES: icd, XDG_RUNTIME_DIR: join(dir, 'xdg') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [k, v] of Object.entries(swiftShaderEnv())) console.log(`export ${k}=${JSON.stringify(v)}`);
}
