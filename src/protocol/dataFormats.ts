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
 * A format with `dir` reads a folder and its row has `folder`; one with `file` reads one file and its
 * row has `file`; the compiler holds each pair together.
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
  /** torchvision's CIFAR-10 download: cifar-10-batches-py (data_batch_1 … data_batch_5, test_batch, batches.meta), pickled. */
  cifar10py: { dir: string };
  /** torchvision's CIFAR-100 download: cifar-100-python (train, test, meta), pickled; the 100 fine labels. */
  cifar100py: { dir: string };
  /**
   * One .npz file with x_train, y_train, x_test, y_test (np.savez or np.savez_compressed): images
   * NHWC, NCHW or [N, H, W], uint8 or float in [0, 1]. `layout` decides when the shape cannot
   * (a channels-first and a channels-last axis both of size 1 or 3).
   */
  npz: { file: string; layout?: 'nhwc' | 'nchw' };
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

/** How a one-file format reads to a user, as DataFolderRow for a folder. */
export interface DataFileRow {
  /** What the file holds, for the schema's `file` (relative to the workspace is appended). */
  holds: string;
  /** What it needs, as one item of "it needs A, B, or C" when a path is of no known format. */
  needs: string;
  /** The open-file dialog's title. */
  dialogTitle: string;
  /** The file name's ending (with its dot): the dialog's filter, and how a file named on the command line is recognised. */
  extension: string;
  /** The dialog filter's name. */
  filterName: string;
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
  /** Present exactly when the format reads one file (its fields have `file`). */
  file?: DataFileRow;
  /** The images' channels where the format fixes them (1 grey, 3 colour); absent where the files decide. The New Run flow counts a custom mean/std by it. */
  channels?: 1 | 3;
  /** Optional config fields beyond kind, normalize and dir, with their schema. */
  options?: Readonly<Record<string, Schema>>;
  /** Which file and record training index i is, when `salun data --files` has no listing to show it. */
  trainIndex?: string;
}

const IDX_TRAIN_INDEX = 'training index i is record i of train-images-idx3-ubyte and train-labels-idx1-ubyte';

type RowFor<F> = DataFormatRow &
  (F extends { dir: string }
    ? { folder: DataFolderRow; file?: undefined }
    : F extends { file: string }
      ? { file: DataFileRow; folder?: undefined }
      : { folder?: undefined; file?: undefined });

export const DATA_FORMATS = {
  default: {
    label: 'bundled Fashion-MNIST subset',
    channels: 1,
    description: 'The bundled Fashion-MNIST subset (10,000 train / 2,000 test)',
    pick: { label: 'Bundled Fashion-MNIST subset', detail: '10,000 train / 2,000 test, class-balanced' },
    trainIndex: IDX_TRAIN_INDEX,
  },
  idx: {
    label: 'idx folder',
    channels: 1,
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
    channels: 3,
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
  cifar10py: {
    label: 'CIFAR-10 Python folder',
    channels: 3,
    description: "CIFAR-10, Python version (torchvision's download)",
    pick: { label: 'Choose a CIFAR-10 Python folder…', detail: 'cifar-10-batches-py, as torchvision downloads it: data_batch_1…5 and test_batch' },
    folder: {
      holds: "Folder with data_batch_1 … data_batch_5 (at least one) and test_batch (cifar-10-batches-py, or the folder holding it: torchvision's root)",
      needs: "CIFAR-10's Python data_batch_* and test_batch",
      dialogTitle: "Choose a CIFAR-10 Python folder (cifar-10-batches-py, or torchvision's root holding it)",
    },
  },
  cifar100py: {
    label: 'CIFAR-100 Python folder',
    channels: 3,
    description: "CIFAR-100, Python version (torchvision's download), the 100 fine labels",
    pick: { label: 'Choose a CIFAR-100 Python folder…', detail: 'cifar-100-python, as torchvision downloads it: train, test and meta' },
    folder: {
      holds: "Folder with train, test and meta (cifar-100-python, or the folder holding it: torchvision's root)",
      needs: "CIFAR-100's Python train and test files",
      dialogTitle: "Choose a CIFAR-100 Python folder (cifar-100-python, or torchvision's root holding it)",
    },
  },
  npz: {
    label: 'npz file',
    description: 'numpy arrays x_train, y_train, x_test, y_test in one .npz (np.savez / np.savez_compressed)',
    pick: { label: 'Choose an .npz file…', detail: 'x_train, y_train, x_test, y_test: NHWC, NCHW or [N, H, W]; uint8 or float in [0, 1]' },
    file: {
      holds: 'An .npz file with x_train, y_train, x_test and y_test',
      needs: 'an .npz file with x_train, y_train, x_test and y_test',
      dialogTitle: 'Choose an .npz file (x_train, y_train, x_test, y_test)',
      extension: '.npz',
      filterName: 'numpy arrays',
    },
    options: {
      layout: {
        type: 'string',
        enum: ['nhwc', 'nchw'],
        description:
          "Where the images' channels are: nhwc [N, H, W, C] (Keras, numpy) or nchw [N, C, H, W] (PyTorch). Without it the shape decides; needed only when both axes could be the channels (size 1 or 3)",
      },
    },
  },
} as const satisfies { [K in keyof DataFormatFields]: RowFor<DataFormatFields[K]> };

export type DataFormatName = keyof typeof DATA_FORMATS;

/** The formats that read one file (their config has `file`). */
export type FileFormatName = { [K in DataFormatName]: DataFormatFields[K] extends { file: string } ? K : never }[DataFormatName];

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

export function isFileFormatName(v: unknown): v is FileFormatName {
  return isDataFormatName(v) && dataFormat(v).file !== undefined;
}

/** The folder formats, in the table's order (the order detection tries them). */
export const FOLDER_FORMAT_NAMES = DATA_FORMAT_NAMES.filter(isFolderFormatName);

/** The one-file formats, in the table's order. */
export const FILE_FORMAT_NAMES = DATA_FORMAT_NAMES.filter(isFileFormatName);

/** The folder or file a data spec reads, when it reads one. */
export function dataPath(spec: { dir?: string; file?: string }): string | undefined {
  return spec.dir ?? spec.file;
}

export function dataFormat(name: DataFormatName): DataFormatRow {
  return DATA_FORMATS[name];
}

/**
 * "CIFAR-10 binary folder /data/c", "bundled Fashion-MNIST subset", "…, 1000 training rows held
 * out": a data spec in one phrase (reports, tables, the CLI).
 */
export function dataText(spec: { kind: DataFormatName; dir?: string; file?: string; heldOut?: number }): string {
  const row = dataFormat(spec.kind);
  const path = dataPath(spec);
  const name = (row.folder || row.file) && path !== undefined ? `${row.label} ${path}` : row.label;
  return spec.heldOut ? `${name}, ${spec.heldOut} training rows held out` : name;
}

/** "a, b, or c" (two: "a or b"). */
function orList(items: readonly string[]): string {
  return items.length < 3 ? items.join(' or ') : `${items.slice(0, -1).join(', ')}, or ${items[items.length - 1]}`;
}

/** Why a path is of no known format: what each folder format and each file format needs. */
export function folderFormatsNeed(): string {
  return orList([...FOLDER_FORMAT_NAMES.map((n) => DATA_FORMATS[n].folder.needs), ...FILE_FORMAT_NAMES.map((n) => DATA_FORMATS[n].file.needs)]);
}
