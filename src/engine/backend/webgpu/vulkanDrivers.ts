// Where the Vulkan loader looks for drivers on Linux (its ICD manifests, one JSON file per driver).
// Dawn loads libvulkan and, when no driver is installed, prints "Couldn't load Vulkan" on stderr
// every time it starts; `auto` tries webgpu on every run, so that line would follow every job of a
// machine without a GPU driver. Looking for a manifest first lets us skip Dawn and say it once, in
// words, in the backend line. The search follows the loader's own order (its docs, "Driver
// Discovery on Linux"): the override variables replace the folders, as they do for the loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface VulkanDriverSearch {
  /** The first manifest found; undefined when there is none. */
  found: string | undefined;
  /** What was looked at, for the message: the override files or the folders. */
  searched: string[];
}

function listVar(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p !== '');
}

/** The folders the loader reads when no override variable is set, in its order. */
export function vulkanIcdFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const configDirs = listVar(env.XDG_CONFIG_DIRS).length ? listVar(env.XDG_CONFIG_DIRS) : ['/etc/xdg'];
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  const dataDirs = listVar(env.XDG_DATA_DIRS).length ? listVar(env.XDG_DATA_DIRS) : ['/usr/local/share', '/usr/share'];
  const roots = [...configDirs, '/etc', dataHome, ...dataDirs, '/usr/share', '/usr/local/share'];
  return [...new Set(roots.map((r) => join(r, 'vulkan', 'icd.d')))];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function manifestIn(folder: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  try {
    const name = readdirSync(folder).find((n) => n.endsWith('.json') && isFile(join(folder, n)));
    return name === undefined ? undefined : join(folder, name);
  } catch {
    return undefined;
  }
}

/** The loader's search for a driver manifest: a file (or folder) named by the override variables, else the folders. */
export function findVulkanDriver(env: NodeJS.ProcessEnv = process.env): VulkanDriverSearch {
  // VK_DRIVER_FILES is the current name, VK_ICD_FILENAMES the older one; the loader reads either.
  const override = listVar(env.VK_DRIVER_FILES).length ? listVar(env.VK_DRIVER_FILES) : listVar(env.VK_ICD_FILENAMES);
  const added = listVar(env.VK_ADD_DRIVER_FILES);
  const candidates = override.length ? [...override, ...added] : [...added, ...vulkanIcdFolders(env)];
  for (const c of candidates) {
    const found = isFile(c) ? c : manifestIn(c);
    if (found) return { found, searched: candidates };
  }
  return { found: undefined, searched: candidates };
}

/** Why webgpu cannot start on this machine before Dawn is loaded, or undefined to go on and load it. */
export function missingVulkanReason(platform: string = process.platform, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // macOS speaks Metal and Windows ships Direct3D 12: only Linux depends on an installed Vulkan driver.
  if (platform !== 'linux') return undefined;
  const search = findVulkanDriver(env);
  if (search.found) return undefined;
  return `no Vulkan driver is installed (no ICD manifest in ${search.searched.join(', ')}): ` + `install your GPU's Vulkan driver, or use another backend`;
}
