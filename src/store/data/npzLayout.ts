// One .npz file of numpy arrays (x_train, y_train, x_test, y_test) as the store sees it: names
// and sizes from the zip's directory, the labels (small) for `salun data`. Training index i is
// x_train[i].
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../errors';
import { fileStats, isFile } from './folders';
import type { FileLayout } from './formatLayout';
import { npzEntries, readNpz, type NpyArray } from './npy';

export const NPZ_ARRAYS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;
export const NPZ_EXTENSION = '.npz';

const NPZ_FILE_HINT = 'Save it with np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test) (or np.savez_compressed).';

/** Integer labels of a [N] or [N, 1] array, checked: whole, not negative. */
export function npzLabels(a: NpyArray, source: string, file: string): Int32Array {
  const n = a.shape[0];
  if (!(a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1))) {
    throw new UserError(`${source}: labels must be [N] or [N, 1], not [${a.shape.join(', ')}].`, 'Save the class numbers as a 1-D integer array.', file);
  }
  if (a.values instanceof Float32Array || a.values instanceof Float64Array) {
    throw new UserError(`${source}: labels are floating-point numbers.`, 'Save the class numbers as integers: y.astype(np.int64).', file);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(a.values[i]);
    if (v < 0 || v >= 2 ** 31) throw new UserError(`${source}: label ${i} is ${v}; labels are class numbers 0, 1, 2, …`, undefined, file);
    out[i] = v;
  }
  return out;
}

export function checkNpzFile(file: string): void {
  const abs = resolve(file);
  if (!isFile(abs)) throw new UserError(`${abs} is not a file.`, NPZ_FILE_HINT, abs);
  const have = npzEntries(abs);
  const missing = NPZ_ARRAYS.filter((n) => !have.has(n));
  if (missing.length) throw new UserError(`${abs} has no ${missing.join(', ')} (it holds ${[...have.keys()].join(', ') || 'no arrays'}).`, NPZ_FILE_HINT, abs);
}

export const NPZ_LAYOUT: FileLayout<{ kind: string; file: string; layout?: string }> = {
  classNames: () => undefined,
  fingerprint: (spec, workspaceDir) => {
    const f = resolve(workspaceDir, spec.file);
    return { kind: spec.kind, stats: fileStats(dirname(f), [basename(f)]), ...(spec.layout ? { layout: spec.layout } : {}) };
  },
  summary: (spec, workspaceDir, withFiles) => {
    const f = resolve(workspaceDir, spec.file);
    const arrays = readNpz(f, ['y_train', 'y_test']);
    const train = npzLabels(arrays.get('y_train') as NpyArray, `${f}: y_train`, f);
    const test = npzLabels(arrays.get('y_test') as NpyArray, `${f}: y_test`, f);
    return {
      dir: f,
      train: train.length,
      test: test.length,
      files: withFiles ? Array.from(train, (label, index) => ({ index, label, file: `x_train[${index}]` })) : undefined,
    };
  },
  check: checkNpzFile,
  detect: (file) => file.toLowerCase().endsWith(NPZ_EXTENSION) && isFile(file),
};
