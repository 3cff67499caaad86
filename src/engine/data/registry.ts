// Each row of the data format table (src/protocol/dataFormats.ts) joined to its loader. `satisfies`
// makes a row without a loader a compile error, not a run-time surprise, and types each loader's
// spec as its row's fields declare it.
import { resolve } from 'node:path';
import type { DataKind, DataSpecOf } from '../../protocol/config';
import { defaultDataDir, FASHION_MNIST_CLASSES } from '../../store/data/idxLayout';
import { loadCifar10Folder } from './cifar10';
import { loadCifarPyFolder } from './cifarPy';
import type { SplitData } from './dataset';
import { loadIdxFolder, loadIdxFolderAsync } from './idxFolder';
import { loadImageFolder } from './imageFolder';
import { loadNpzFile } from './npz';
import { CIFAR100_PY, CIFAR10_PY } from '../../store/data/cifarPyLayout';

export interface DataLoader<S> {
  /** The images as read, in [0, 1] (load.ts applies the spec's normalisation). */
  load: (spec: S, workspaceDir: string) => SplitData;
  /** The same without blocking, so a job hears cancel while the files load; absent: load(). */
  loadAsync?: (spec: S, workspaceDir: string, signal?: AbortSignal) => Promise<SplitData>;
}

export type DataLoaders = { [K in DataKind]: DataLoader<DataSpecOf<K>> };

/** The bundled subset is Fashion-MNIST in idx files, which do not name their classes. */
const bundled = (data: SplitData): SplitData => ({ ...data, classNames: FASHION_MNIST_CLASSES });

export const DATA_LOADERS = {
  default: {
    load: () => bundled(loadIdxFolder(defaultDataDir())),
    loadAsync: async (_s, _w, signal) => bundled(await loadIdxFolderAsync(defaultDataDir(), signal)),
  },
  idx: { load: (s, w) => loadIdxFolder(resolve(w, s.dir)), loadAsync: (s, w, signal) => loadIdxFolderAsync(resolve(w, s.dir), signal) },
  cifar10: { load: (s, w) => loadCifar10Folder(resolve(w, s.dir)) },
  imagefolder: { load: (s, w) => loadImageFolder(resolve(w, s.dir), { size: s.size }) },
  cifar10py: { load: (s, w) => loadCifarPyFolder(CIFAR10_PY, resolve(w, s.dir)) },
  cifar100py: { load: (s, w) => loadCifarPyFolder(CIFAR100_PY, resolve(w, s.dir)) },
  npz: { load: (s, w) => loadNpzFile(resolve(w, s.file), s.layout) },
} as const satisfies DataLoaders;
