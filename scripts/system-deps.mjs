// The Debian packages the full test suite needs, in one list (npm test and .ci/run both use it):
//   chromium            the panel's browser tests and code-server's workbench (headless)
//   chromium-common     SwiftShader (libvk_swiftshader.so): the webgpu suite without a GPU
//   libvulkan1          the Vulkan loader Dawn opens to reach SwiftShader
//   libkrb5-dev         code-server's native build dependencies (offline VS Code for the host suite)
//   build-essential     g++ and make: code-server's native modules and the offline tfjs-node build
//   python3             node-gyp, the cross-check peers
//   python3-sklearn     the MIA cross-check peer (bench/mia-crosscheck.py)
//   python3-torch       the saliency and parameter-count cross-checks (PyTorch 1.13)
//   libopenblas0-pthread  numpy/torch's BLAS
//   dataset-fashion-mnist the full Fashion-MNIST (the tables; the bundled subset comes from it)
// As root, missing packages are installed with apt-get; otherwise the one command to run is printed
// and the process exits non-zero, before any test runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PACKAGES = [
  'chromium',
  'chromium-common',
  'libvulkan1',
  'libkrb5-dev',
  'build-essential',
  'python3',
  'python3-sklearn',
  'python3-torch',
  'libopenblas0-pthread',
  'dataset-fashion-mnist',
];

/** Installed means dpkg's "install ok installed": `dpkg -s` also succeeds for a removed package whose config files remain (rc). */
export function missingPackages() {
  return PACKAGES.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.trim() !== 'install ok installed');
}

/** Installs what is missing (as root) or explains the one command to run; returns false on failure. */
export function ensureSystemPackages(log = console.log) {
  if (spawnSync('dpkg', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log(`[system] not a Debian/Ubuntu system: install the equivalents of ${PACKAGES.join(', ')} yourself`);
    return missingOnPath();
  }
  const missing = missingPackages();
  if (!missing.length) return true;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    log(`[system] missing Debian packages: ${missing.join(' ')}\n[system] run as root:  sudo sh -c '${command}'`);
    return false;
  }
  log(`[system] installing ${missing.join(' ')} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) {
      log(`[system] apt-get ${args[0]} failed (exit ${r.status}); run: ${command}`);
      return false;
    }
  }
  return missingPackages().length === 0;
}

function missingOnPath() {
  return spawnSync('chromium', ['--version'], { stdio: 'ignore' }).status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(ensureSystemPackages() ? 0 : 1);
}
