// Each row of the data format table (src/protocol/dataFormats.ts) joined to what the store knows
// of it without pixels: class names, the cache key, `salun data`'s summary and, for a folder
// format, how to check and recognise its folder. `satisfies` makes a row without a layout (or a
// folder format without check and detect) a compile error.
import type { DataKind, DataSpecOf } from '../../protocol/config';
import { CIFAR10_LAYOUT } from './cifar10Layout';
import { CIFAR100_PY, CIFAR10_PY, cifarPyLayout } from './cifarPyLayout';
import type { LayoutOf } from './formatLayout';
import { BUNDLED_LAYOUT, IDX_LAYOUT } from './idxLayout';
import { IMAGE_FOLDER_LAYOUT } from './imageFolderLayout';
import { NPZ_LAYOUT } from './npzLayout';

export type DataLayouts = { [K in DataKind]: LayoutOf<DataSpecOf<K>> };

export const DATA_LAYOUTS = {
  default: BUNDLED_LAYOUT,
  idx: IDX_LAYOUT,
  cifar10: CIFAR10_LAYOUT,
  imagefolder: IMAGE_FOLDER_LAYOUT,
  cifar10py: cifarPyLayout(CIFAR10_PY),
  cifar100py: cifarPyLayout(CIFAR100_PY),
  npz: NPZ_LAYOUT,
} as const satisfies DataLayouts;
