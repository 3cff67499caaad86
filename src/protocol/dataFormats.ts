// The data formats, one row each, in the order the schema, `salun data` and the New Run flow list
// them (and folder detection tries them). Everything that names formats reads this table: the
// config schema, the New Run flow's data step, the CLI's `--data` and `salun data`, the summaries.
// What a folder of each format holds, without pixels, is the store's (src/store/data/registry.ts);
// how its images are read is the engine's (src/engine/data/registry.ts). Both registries are
// checked at compile time to cover every row. Adding a format is a row here, its fields below,
// a layout and a loader, and a line in each registry.
import type { Schema } from './schema';

/** An image size in pixels. */
export interface ImageSize {
  height: number;
  width: number;
}

/**
 * Each format's config fields beyond `kind` and `normalize` (config.ts builds DataSpec from them).
 * A format with `dir` reads a folder and its row has `folder`; the compiler holds the two together.
 */
export interface DataFormatFields {
  /** The Fashion-MNIST subset bundled with the package. */
  default: Record<never, never>;
  /** A folder with the four MNIST-format idx files (train-images-idx3-ubyte[.gz], …). */
  idx: { dir: string };
  /** CIFAR-10's binary version: data_batch_1.bin … data_batch_5.bin (train) and test_batch.bin. */
  cifar10: { dir: string };
  /**
   * torchvision-style ImageFolder: dir/train/<class>/<image> and dir/test/<class>/<image> (or val/),
   * PNG or JPEG; labels by the sorted training class folders. Images of another size than `size`
   * (default: the first training image's) are resized bilinearly.
   */
  imagefolder: { dir: string; size?: ImageSize };
}

/** How a folder format reads to a user: what the folder holds and how the New Run flow offers it. */
export interface DataFolderRow {
  /** What the folder holds, for the schema's `dir` (relative to the workspace is appended). */
  holds: string;
  /** What it needs, as one item of "it needs A, B, or C" when a folder is of no known format. */
  needs: string;
  /** The open-folder dialog's title. */
  dialogTitle: string;
}

export interface DataFormatRow {
  /** The one display name: "<label> <folder>" in summaries and `salun data`, the New Run list. */
  label: string;
  /** The schema's description of the kind. */
  description: string;
  /** The New Run flow's data step: the item's label and its one-line detail. */
  pick: { label: string; detail: string };
  /** Present exactly when the format reads a folder (its fields have `dir`). */
  folder?: DataFolderRow;
  /** Optional config fields beyond kind, normalize and dir, with their schema. */
  options?: Readonly<Record<string, Schema>>;
  /** Which file and record training index i is, when `salun data --files` has no listing to show it. */
  trainIndex?: string;
}

const IDX_TRAIN_INDEX = 'training index i is record i of train-images-idx3-ubyte and train-labels-idx1-ubyte';

type RowFor<F> = DataFormatRow & (F extends { dir: string } ? { folder: DataFolderRow } : { folder?: undefined });

export const DATA_FORMATS = {
  default: {
    label: 'bundled Fashion-MNIST subset',
    description: 'The bundled Fashion-MNIST subset (10,000 train / 2,000 test)',
    pick: { label: 'Bundled Fashion-MNIST subset', detail: '10,000 train / 2,000 test, class-balanced' },
    trainIndex: IDX_TRAIN_INDEX,
  },
  idx: {
    label: 'idx folder',
    description: 'MNIST-format idx files (MNIST, Fashion-MNIST)',
    pick: { label: 'Choose an idx folder…', detail: 'the four MNIST-format files, plain or .gz' },
    folder: {
      holds: 'Folder with the four MNIST-format idx files (.gz or not)',
      needs: 'the four MNIST idx files',
      dialogTitle: 'Choose a folder with the four MNIST-format idx files',
    },
    trainIndex: IDX_TRAIN_INDEX,
  },
  cifar10: {
    label: 'CIFAR-10 binary folder',
    description: 'CIFAR-10, binary version',
    pick: { label: 'Choose a CIFAR-10 binary folder…', detail: 'cifar-10-batches-bin: data_batch_1…5.bin and test_batch.bin' },
    folder: {
      holds: 'Folder with data_batch_1.bin … data_batch_5.bin (at least one) and test_batch.bin (cifar-10-batches-bin, or the folder holding it)',
      needs: "CIFAR-10's data_batch_*.bin and test_batch.bin",
      dialogTitle: 'Choose a CIFAR-10 binary folder (cifar-10-batches-bin: data_batch_*.bin and test_batch.bin)',
    },
  },
  imagefolder: {
    label: 'ImageFolder',
    description: 'torchvision-style ImageFolder of PNG/JPEG images; labels by the sorted training class folders',
    pick: { label: 'Choose an ImageFolder…', detail: 'train/<class>/ and test/<class>/ (or val/) of PNG or JPEG images' },
    folder: {
      holds: 'Folder with train/<class>/<image> and test/<class>/<image> (or val/)',
      needs: "an ImageFolder's train/ and test/ (or val/) class folders",
      dialogTitle: 'Choose an ImageFolder (with train/<class>/… and test/<class>/… or val/<class>/…)',
    },
    options: {
      size: {
        type: 'object',
        additionalProperties: false,
        required: ['height', 'width'],
        description: 'Resize every image to this size (bilinear); without it, images of another size than the first training image are resized to its size',
        properties: { height: { type: 'integer', minimum: 1, maximum: 4096 }, width: { type: 'integer', minimum: 1, maximum: 4096 } },
      },
    },
  },
} as const satisfies { [K in keyof DataFormatFields]: RowFor<DataFormatFields[K]> };

export type DataFormatName = keyof typeof DATA_FORMATS;

/** The formats that read a folder (their config has `dir`). */
export type FolderFormatName = { [K in DataFormatName]: DataFormatFields[K] extends { dir: string } ? K : never }[DataFormatName];

/** The table's order. */
export const DATA_FORMAT_NAMES = Object.keys(DATA_FORMATS) as DataFormatName[];

export function isDataFormatName(v: unknown): v is DataFormatName {
  return typeof v === 'string' && Object.hasOwn(DATA_FORMATS, v);
}

export function isFolderFormatName(v: unknown): v is FolderFormatName {
  return isDataFormatName(v) && dataFormat(v).folder !== undefined;
}

/** The folder formats, in the table's order (the order detection tries them). */
export const FOLDER_FORMAT_NAMES = DATA_FORMAT_NAMES.filter(isFolderFormatName);

export function dataFormat(name: DataFormatName): DataFormatRow {
  return DATA_FORMATS[name];
}

/**
 * "CIFAR-10 binary folder /data/c", "bundled Fashion-MNIST subset", "…, 1000 training rows held
 * out": a data spec in one phrase (reports, tables, the CLI).
 */
export function dataText(spec: { kind: DataFormatName; dir?: string; heldOut?: number }): string {
  const row = dataFormat(spec.kind);
  const name = row.folder && spec.dir !== undefined ? `${row.label} ${spec.dir}` : row.label;
  return spec.heldOut ? `${name}, ${spec.heldOut} training rows held out` : name;
}

/** "a, b, or c" (two: "a or b"). */
function orList(items: readonly string[]): string {
  return items.length < 3 ? items.join(' or ') : `${items.slice(0, -1).join(', ')}, or ${items[items.length - 1]}`;
}

/** Why a folder is of no known format: what each folder format needs. */
export function folderFormatsNeed(): string {
  return orList(FOLDER_FORMAT_NAMES.map((n) => DATA_FORMATS[n].folder.needs));
}
