// Rule as a test (docs/architecture.md, "Backends"): a custom kernel or gradient is one file in a
// kernels/ folder of src/engine/backend/ that exports its KernelConfig or GradConfig and nothing
// else, named after the kernel (a gradient: <kernel>_grad.ts), and listed in the kernels.ts beside
// that folder; src/engine/backend/registerKernels.ts is the only caller of tfjs's registerKernel
// and registerGradient, and registering a list twice leaves the registry as it was.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, sep } from 'node:path';
import type { GradConfig, KernelConfig } from '@tensorflow/tfjs';
import { tf } from '../../src/engine/tf';
import { selectBackend } from '../../src/engine/backend/select';
import { SHARED_KERNELS } from '../../src/engine/backend/kernels';
import { displacedKernel, registerKernels, unregisterKernels, type BackendKernel } from '../../src/engine/backend/registerKernels';
import { installWasmKernels, WASM_KERNELS } from '../../src/engine/backend/wasm/kernels';

const root = join(__dirname, '..', '..', '..');
const backendDir = join(root, 'src', 'engine', 'backend');
const load = createRequire(__filename);

/** The backend name each folder's kernels register under (a folder may serve several backends: native). */
const BACKEND_OF_FOLDER: Record<string, string | undefined> = { wasm: 'wasm', native: 'tensorflow', '.': undefined };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function repoPath(abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/** The compiled module of a source file (the build transpiles src/ file by file into out/). */
function compiled(source: string): Record<string, unknown> {
  return load(join(root, 'out', repoPath(source).replace(/\.ts$/, '.js'))) as Record<string, unknown>;
}

function isKernelConfig(v: unknown): v is KernelConfig {
  const c = v as Partial<KernelConfig>;
  return typeof c?.kernelName === 'string' && typeof c.backendName === 'string' && typeof c.kernelFunc === 'function';
}

function isGradConfig(v: unknown): v is GradConfig {
  const c = v as Partial<GradConfig>;
  return typeof c?.kernelName === 'string' && typeof c.gradFunc === 'function' && !('kernelFunc' in c);
}

/** Every kernels/ folder under src/engine/backend/, with its files. */
function kernelFolders(): { folder: string; files: string[] }[] {
  const folders = new Map<string, string[]>();
  for (const file of walk(backendDir)) {
    const parent = join(file, '..');
    if (basename(parent) === 'kernels') folders.set(parent, [...(folders.get(parent) ?? []), file]);
  }
  return [...folders].map(([folder, files]) => ({ folder, files }));
}

/** The exported arrays of the kernels.ts beside a kernels/ folder: the backend's list. */
function listBeside(folder: string): BackendKernel[] {
  const lists = Object.values(compiled(`${folder}.ts`)).filter((v): v is BackendKernel[] => Array.isArray(v));
  assert.equal(lists.length, 1, `${repoPath(folder)}.ts exports ${lists.length} arrays, not one list`);
  return lists[0];
}

describe('backend kernels: one file each, one list per backend, one way to register', () => {
  const folders = kernelFolders();

  it('finds the kernel folders (so an empty walk cannot pass the cases below)', () => {
    const names = folders.map((f) => repoPath(f.folder)).sort();
    assert.deepEqual(names, ['src/engine/backend/kernels', 'src/engine/backend/native/kernels', 'src/engine/backend/wasm/kernels']);
    assert.ok(folders.every((f) => f.files.length > 0));
  });

  it('every file of a kernels/ folder exports exactly one config, named after its kernel', () => {
    const problems: string[] = [];
    for (const { files } of folders) {
      for (const file of files) {
        const rel = repoPath(file);
        const text = readFileSync(file, 'utf8');
        const exports = text.split('\n').filter((line) => /^export\b/.test(line));
        if (exports.length !== 1 || !/^export const \w+Config: (KernelConfig|GradConfig) = /.test(exports[0])) {
          problems.push(
            `${rel}: exports ${exports.length === 0 ? 'nothing' : exports.join(' | ')} (one "export const <name>Config: KernelConfig | GradConfig = …")`,
          );
          continue;
        }
        const values = Object.values(compiled(file));
        const config = values[0];
        if (values.length !== 1 || !(isKernelConfig(config) || isGradConfig(config))) {
          problems.push(`${rel}: its export is not one kernel or gradient config`);
          continue;
        }
        const expected = isGradConfig(config) ? `${config.kernelName}_grad.ts` : `${config.kernelName}.ts`;
        if (basename(file) !== expected)
          problems.push(`${rel}: holds ${config.kernelName}'s ${isGradConfig(config) ? 'gradient' : 'kernel'}, so its name is ${expected}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("every kernel file is in its backend's list, the list holds nothing else, and each kernel is its backend's", () => {
    for (const { folder, files } of folders) {
      const list = listBeside(folder);
      const configs = files.map((f) => Object.values(compiled(f))[0]);
      for (const [i, config] of configs.entries()) assert.ok(list.includes(config as BackendKernel), `${repoPath(files[i])} is not in ${repoPath(folder)}.ts`);
      assert.equal(list.length, configs.length, `${repoPath(folder)}.ts lists a config that is no file of ${repoPath(folder)}/`);
      const backend = BACKEND_OF_FOLDER[relative(backendDir, join(folder, '..')) || '.'];
      for (const config of list.filter(isKernelConfig)) {
        assert.ok(backend !== undefined, `${config.kernelName} for ${config.backendName}: the shared list holds gradients only (a kernel has a backend)`);
        assert.equal(config.backendName, backend, `${config.kernelName} in ${repoPath(folder)}/ registers for ${config.backendName}`);
      }
    }
  });

  it('no registerKernel or registerGradient call outside src/engine/backend/registerKernels.ts', () => {
    const offenders = ['src', 'bench', 'scripts']
      .flatMap((d) => walk(join(root, d)))
      .filter((f) => /\.(ts|mjs|js)$/.test(f) && repoPath(f) !== 'src/engine/backend/registerKernels.ts')
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) => (/\b(registerKernel|registerGradient)\s*\(/.test(line) ? [`${repoPath(f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    assert.deepEqual(offenders, []);
  });

  describe('registering twice is harmless (on wasm)', () => {
    before(async () => {
      await selectBackend('wasm');
    });

    it('a second registration of every list leaves each kernel and gradient the one registered', () => {
      registerKernels(WASM_KERNELS);
      registerKernels(SHARED_KERNELS);
      installWasmKernels();
      for (const config of WASM_KERNELS) {
        if (!isKernelConfig(config)) continue;
        assert.equal(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc, config.kernelFunc, `${config.kernelName} is not the listed kernel`);
      }
      for (const config of SHARED_KERNELS) if (isGradConfig(config)) assert.equal(tf.getGradient(config.kernelName)?.gradFunc, config.gradFunc);
    });

    it("a wrapper's fallback is tfjs's own kernel, never itself, and the product stays right", () => {
      const matMul = WASM_KERNELS.find((c) => c.kernelName === 'BatchMatMul');
      assert.ok(matMul && isKernelConfig(matMul));
      assert.notEqual(displacedKernel('BatchMatMul', 'wasm'), matMul.kernelFunc);
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const b = tf.tensor2d([1, 0, 2, 1, 0, 3], [3, 2]);
      const product = tf.matMul(a, b, true, false);
      assert.deepEqual(Array.from(product.dataSync()), [1 + 6 + 0, 0 + 3 + 15, 2 + 8 + 0, 0 + 4 + 18]);
      tf.dispose([a, b, product]);
    });

    it('unregistering gives back the kernel it displaced, and registering again puts ours back', () => {
      const sum = WASM_KERNELS.find((c) => c.kernelName === 'Sum');
      assert.ok(sum && isKernelConfig(sum));
      try {
        unregisterKernels([sum]);
        assert.equal(tf.getKernel('Sum', 'wasm')?.kernelFunc, displacedKernel('Sum', 'wasm'));
        const s = tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 0);
        assert.deepEqual(Array.from(s.dataSync()), [4, 6]);
        s.dispose();
      } finally {
        registerKernels([sum]);
      }
      assert.equal(tf.getKernel('Sum', 'wasm')?.kernelFunc, sum.kernelFunc);
    });
  });
});
