// Rule as a test: the engine reads tensors asynchronously (`await t.data()`). The webgpu backend
// cannot read a GPU buffer synchronously in Node (tfjs falls back to an OffscreenCanvas, which
// Node lacks), so one `dataSync()` on a path every backend takes breaks every GPU run. Only the
// files below run on CPU backends alone and may read synchronously.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const CPU_ONLY = [
  /^src\/engine\/backend\/wasm\//, // the wasm backend and its kernels
  /^src\/engine\/train\/parallel\.ts$/, // data-parallel workers: wasm and cpu only (PARALLEL_BACKENDS)
  /^src\/engine\/train\/trainWorker\.ts$/,
  /^src\/engine\/models\/weightReads\.ts$/, // the cpu/wasm fallback when no snapshot was taken (tests); it refuses webgpu
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the engine reads tensors asynchronously', () => {
  it('has no dataSync/arraySync/bufferSync outside the CPU-only files', () => {
    const offenders = sources(join(root, 'src')).flatMap((file) => {
      const rel = relative(root, file).split('\\').join('/');
      if (CPU_ONLY.some((r) => r.test(rel))) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.(dataSync|arraySync|bufferSync)\(/.test(line) ? [`${rel}:${i + 1}: ${line.trim()}`] : []));
    });
    assert.deepEqual(offenders, [], `synchronous tensor reads break the webgpu backend:\n${offenders.join('\n')}`);
  });
});
