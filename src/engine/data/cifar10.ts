// Reader for CIFAR-10's binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each record
// is 1 label byte and 3072 pixel bytes, the 1024 red values of the 32×32 image row by row, then
// the green, then the blue. We store NHWC, so the planes are interleaved on the way in.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../../store/errors';
import type { DataNote, ImageSet, SplitData } from './dataset';
import { CIFAR10_RECORD_BYTES, cifar10ClassNames, cifar10Layout } from '../../store/data/cifar10Layout';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
const NUM_CLASSES = 10;

function recordCount(path: string): number {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, undefined, path);
  }
  if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
    throw new UserError(
      `${path} is ${size} bytes, ${size === 0 ? 'empty' : `not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (1 label + 3072 pixels): ${Math.floor(size / CIFAR10_RECORD_BYTES)} records and ${size % CIFAR10_RECORD_BYTES} bytes over`}.`,
      "The file is truncated or not from the CIFAR-10 binary version (CIFAR-100's records have 2 label bytes); download cifar-10-binary.tar.gz again.",
      path,
    );
  }
  return size / CIFAR10_RECORD_BYTES;
}

/** Decodes the records of `bytes` into `set` from row `first` on. */
export function decodeCifar10Records(bytes: Uint8Array, set: ImageSet, first: number, source: string): void {
  const records = bytes.length / CIFAR10_RECORD_BYTES;
  for (let k = 0; k < records; k++) {
    const at = k * CIFAR10_RECORD_BYTES;
    const label = bytes[at];
    if (label >= NUM_CLASSES) {
      throw new UserError(
        `${source}: record ${k} (counting from 0, byte ${at}) has label ${label}; CIFAR-10 labels are 0…9.`,
        'The file is corrupt or not from the CIFAR-10 binary version; download cifar-10-binary.tar.gz again.',
        source,
      );
    }
    const row = first + k;
    set.labels[row] = label;
    const out = row * PIXELS;
    const px = at + 1;
    for (let p = 0; p < PLANE; p++) {
      set.images[out + 3 * p] = bytes[px + p] / 255;
      set.images[out + 3 * p + 1] = bytes[px + PLANE + p] / 255;
      set.images[out + 3 * p + 2] = bytes[px + 2 * PLANE + p] / 255;
    }
  }
}

function readSplit(files: string[], source: string): ImageSet {
  const counts = files.map(recordCount);
  const n = counts.reduce((a, b) => a + b, 0);
  const set: ImageSet = {
    images: new Float32Array(n * PIXELS),
    labels: new Int32Array(n),
    n,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses: NUM_CLASSES,
    source,
  };
  let first = 0;
  files.forEach((path, i) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, undefined, path);
    }
    // The file may have changed since it was measured; the record count is re-checked on the bytes read.
    if (bytes.length !== counts[i] * CIFAR10_RECORD_BYTES) throw new UserError(`${path} changed while it was being read.`, 'Load the data again.', path);
    decodeCifar10Records(bytes, set, first, path);
    first += counts[i];
  });
  return set;
}

/** Loads a cifar-10-batches-bin folder: the data_batch_k.bin present (at least one) and test_batch.bin. */
export function loadCifar10Folder(dir: string): SplitData {
  const layout = cifar10Layout(dir);
  const { names, note } = cifar10ClassNames(layout);
  const train = readSplit(layout.train, `${layout.dir} (train: ${layout.train.map((f) => basename(f)).join(', ')})`);
  const test = readSplit([layout.test], `${layout.dir} (test)`);
  const notes: DataNote[] = [
    {
      level: 'info',
      message: `CIFAR-10: training on ${layout.train.map((f) => basename(f)).join(', ')} (${train.n} images), testing on test_batch.bin (${test.n}).`,
    },
  ];
  if (layout.missingTrain.length) {
    notes.push({
      level: 'warn',
      message: `CIFAR-10: ${layout.missingTrain.join(', ')} ${layout.missingTrain.length > 1 ? 'are' : 'is'} not in ${layout.dir}; the training set is the other batches only.`,
    });
  }
  if (note) notes.push({ level: 'warn', message: note });
  return { train, test, classNames: names, notes };
}
