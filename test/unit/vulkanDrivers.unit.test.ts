// The Vulkan driver search that keeps Dawn from being loaded (and printing its warning) on a Linux
// machine without a driver: it must find a manifest where the loader would, and only there.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVulkanDriver, missingVulkanReason, vulkanIcdFolders } from '../../src/engine/backend/webgpu/vulkanDrivers';

describe('Vulkan driver search (webgpu on Linux)', () => {
  const root = mkdtempSync(join(tmpdir(), 'salun-vulkan-'));
  const empty = mkdtempSync(join(tmpdir(), 'salun-vulkan-empty-'));
  // Folders that exist on no machine, so the host's own drivers do not answer the test.
  const bare = { XDG_CONFIG_DIRS: join(empty, 'cfg'), XDG_DATA_HOME: join(empty, 'home'), XDG_DATA_DIRS: join(empty, 'data') };

  it('finds a manifest in $XDG_DATA_DIRS/vulkan/icd.d', () => {
    const icd = join(root, 'data', 'vulkan', 'icd.d');
    mkdirSync(icd, { recursive: true });
    writeFileSync(join(icd, 'gpu_icd.json'), '{}');
    const r = findVulkanDriver({ ...bare, XDG_DATA_DIRS: `${join(empty, 'none')}:${join(root, 'data')}` });
    assert.equal(r.found, join(icd, 'gpu_icd.json'));
  });

  it('reads VK_ICD_FILENAMES (the SwiftShader manifest the backend suite sets) instead of the folders', () => {
    const file = join(root, 'swiftshader_icd.json');
    writeFileSync(file, '{}');
    assert.equal(findVulkanDriver({ ...bare, VK_ICD_FILENAMES: file }).found, file);
    assert.equal(findVulkanDriver({ ...bare, VK_DRIVER_FILES: file }).found, file);
    assert.equal(missingVulkanReason('linux', { ...bare, VK_ICD_FILENAMES: file }), undefined);
  });

  it('an override that names a missing file finds nothing, as for the loader', () => {
    const r = findVulkanDriver({ ...bare, VK_ICD_FILENAMES: join(empty, 'gone.json') });
    assert.equal(r.found, undefined);
    assert.deepEqual(r.searched, [join(empty, 'gone.json')]);
  });

  it('the default folders are the loader’s, XDG ones first', () => {
    const folders = vulkanIcdFolders({ HOME: '/home/u' });
    assert.deepEqual(folders.slice(0, 3), ['/etc/xdg/vulkan/icd.d', '/etc/vulkan/icd.d', '/home/u/.local/share/vulkan/icd.d']);
    assert.ok(folders.includes('/usr/share/vulkan/icd.d'));
    assert.ok(folders.includes('/usr/local/share/vulkan/icd.d'));
  });

  it('with no manifest, Linux names the reason and what to do; other platforms load Dawn as before', () => {
    const why = missingVulkanReason('linux', bare);
    assert.ok(why?.startsWith('no Vulkan driver is installed (no ICD manifest in '), why);
    assert.ok(why?.includes(join(empty, 'data', 'vulkan', 'icd.d')), why);
    assert.ok(why?.endsWith("install your GPU's Vulkan driver, or use another backend"), why);
    assert.equal(missingVulkanReason('darwin', bare), undefined);
    assert.equal(missingVulkanReason('win32', bare), undefined);
  });
});
