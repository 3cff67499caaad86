// Each row of the data format table (src/protocol/dataFormats.ts) joined to what the store knows
// of it without pixels: class names, the cache key, `salun data`'s summary and, for a folder
// format, how to check and recognise its folder. `satisfies` makes a row without a layout (or a
// folder format without check and detect) a compile error.
import type { DataKind, DataSpecOf } from '../../protocol/config';
import { CIFAR10_LAYOUT } from './cifar10Layout';
import type { LayoutOf } from './formatLayout';
import { BUNDLED_LAYOUT, IDX_LAYOUT } from './idxLayout';
import { IMAGE_FOLDER_LAYOUT } from './imageFolderLayout';

export type DataLayouts = { [K in DataKind]: LayoutOf<DataSpecOf<K>> };

export const DATA_LAYOUTS = {
  default: BUNDLED_LAYOUT,
  idx: IDX_LAYOUT,
  cifar10: CIFAR10_LAYOUT,
  imagefolder: IMAGE_FOLDER_LAYOUT,
} as const satisfies DataLayouts;
