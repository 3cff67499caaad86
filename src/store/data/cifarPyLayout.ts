// CIFAR-10 and CIFAR-100 as torchvision keeps them (torchvision.datasets.CIFAR10/CIFAR100 with
// download=True): cifar-10-batches-py with data_batch_1 … data_batch_5, test_batch and
// batches.meta; cifar-100-python with train, test and meta. Each batch is a pickled dict whose
// 'data' is a uint8 [N, 3072] array, every row an image's red, green and blue 32×32 planes, and
// whose labels are a list ('labels'; CIFAR-100: 'fine_labels', as torchvision reads it). Training
// index i is image i of the training batches in order, as torchvision numbers them.
import { readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../errors';
import { CIFAR10_CLASSES } from './cifar10Layout';
import { batchField, labelList, nameList, readCifarPickle, type PickledArray } from './cifarPickle';
import { fileStats, isFile, requireFolder } from './folders';
import type { FolderLayout, TrainEntry } from './formatLayout';

export const CIFAR_PY_SIDE = 32;
export const CIFAR_PY_PIXELS = 3 * CIFAR_PY_SIDE * CIFAR_PY_SIDE;

/** What tells the two Python versions apart: their files and the keys their dicts use. */
export interface CifarPyFormat {
  /** "CIFAR-10 (Python version)", for messages. */
  what: string;
  /** The folder torchvision downloads to; picking its parent (torchvision's root) works too. */
  archiveDir: string;
  train: readonly string[];
  test: string;
  meta: string;
  labelKey: string;
  namesKey: string;
  classes: number;
  /** The names when the meta file is absent. */
  standardNames?: readonly string[];
  hint: string;
}

export const CIFAR10_PY: CifarPyFormat = {
  what: 'CIFAR-10 (Python version)',
  archiveDir: 'cifar-10-batches-py',
  train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'],
  test: 'test_batch',
  meta: 'batches.meta',
  labelKey: 'labels',
  namesKey: 'label_names',
  classes: 10,
  standardNames: CIFAR10_CLASSES,
  hint: 'Use the Python version of CIFAR-10 as torchvision downloads it (torchvision.datasets.CIFAR10(root, download=True), or cifar-10-python.tar.gz unpacked): cifar-10-batches-py with data_batch_1 … data_batch_5 and test_batch.',
};

export const CIFAR100_PY: CifarPyFormat = {
  what: 'CIFAR-100 (Python version)',
  archiveDir: 'cifar-100-python',
  train: ['train'],
  test: 'test',
  meta: 'meta',
  labelKey: 'fine_labels',
  namesKey: 'fine_label_names',
  classes: 100,
  hint: 'Use the Python version of CIFAR-100 as torchvision downloads it (torchvision.datasets.CIFAR100(root, download=True), or cifar-100-python.tar.gz unpacked): cifar-100-python with train, test and meta.',
};

export interface CifarPyFiles {
  /** The folder that holds the batches (the one picked, or its archive folder). */
  dir: string;
  train: string[];
  missingTrain: string[];
  test: string;
  meta?: string;
}

/** The batch files of a folder; throws a UserError naming what is missing. */
export function cifarPyFiles(f: CifarPyFormat, dir: string): CifarPyFiles {
  const abs = resolve(dir);
  requireFolder(abs, `${f.what} folder`, f.hint);
  const holds = (d: string): boolean => f.train.some((n) => isFile(join(d, n))) || isFile(join(d, f.test));
  const inner = join(abs, f.archiveDir);
  const root = !holds(abs) && holds(inner) ? inner : abs;
  const train = f.train.filter((n) => isFile(join(root, n)));
  const lacking = [
    ...(train.length ? [] : [f.train.length > 1 ? `${f.train[0]} … ${f.train[f.train.length - 1]} (at least one)` : f.train[0]]),
    ...(isFile(join(root, f.test)) ? [] : [f.test]),
  ];
  if (lacking.length) {
    throw new UserError(`${root} is not a ${f.what} folder: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing.`, f.hint, root);
  }
  const meta = join(root, f.meta);
  return {
    dir: root,
    train: train.map((n) => join(root, n)),
    missingTrain: f.train.filter((n) => !train.includes(n)),
    test: join(root, f.test),
    meta: isFile(meta) ? meta : undefined,
  };
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(`Cannot read ${file}: ${(e as Error).message}`, undefined, file);
  }
}

/** One batch: its images as numpy holds them ([N, 3072] uint8, planes per row) and its labels, checked against each other. */
export interface CifarPyBatch {
  pixels: Uint8Array;
  labels: Int32Array;
  n: number;
}

export function readCifarPyBatch(f: CifarPyFormat, file: string): CifarPyBatch {
  const d = readCifarPickle(readBytes(file), file, f.hint);
  const data = batchField(d, 'data', file, f.hint);
  const labels = labelList(batchField(d, f.labelKey, file, f.hint), f.labelKey, file, f.hint);
  const a = data as PickledArray;
  if (typeof data !== 'object' || data === null || !('dtype' in data)) throw new UserError(`${file}: 'data' is not a numpy array.`, f.hint, file);
  if (a.dtype !== '|u1' || a.shape.length !== 2 || a.shape[1] !== CIFAR_PY_PIXELS || a.fortran) {
    throw new UserError(
      `${file}: 'data' is a ${a.dtype} array of shape [${a.shape.join(', ')}]${a.fortran ? ' in Fortran order' : ''}; ${f.what} batches hold uint8 [N, ${CIFAR_PY_PIXELS}] (32×32 RGB images).`,
      f.hint,
      file,
    );
  }
  const n = a.shape[0];
  if (a.bytes.length !== n * CIFAR_PY_PIXELS) {
    throw new UserError(
      `${file}: 'data' declares ${n} images (${n * CIFAR_PY_PIXELS} bytes) but holds ${a.bytes.length} bytes: the file is truncated or corrupt.`,
      f.hint,
      file,
    );
  }
  if (labels.length !== n) throw new UserError(`${file}: ${n} images but ${labels.length} labels in '${f.labelKey}'.`, f.hint, file);
  const bad = labels.findIndex((l) => l >= f.classes);
  if (bad >= 0) throw new UserError(`${file}: image ${bad} (counting from 0) has label ${labels[bad]}; ${f.what} labels are 0…${f.classes - 1}.`, f.hint, file);
  return { pixels: a.bytes, labels, n };
}

/** Class names from the meta file, else the standard ones (CIFAR-10) or none; `note` says why the file was not used. */
export function cifarPyClassNames(f: CifarPyFormat, files: Pick<CifarPyFiles, 'meta'>): { names?: string[]; note?: string } {
  const fallback = f.standardNames ? [...f.standardNames] : undefined;
  const instead = fallback ? `using the standard ${f.what} class names` : 'classes are shown by number';
  if (!files.meta) return { names: fallback, note: fallback ? undefined : `${f.what}: no ${f.meta} file; ${instead}.` };
  try {
    const names = nameList(
      batchField(readCifarPickle(readBytes(files.meta), files.meta, f.hint), f.namesKey, files.meta, f.hint),
      f.namesKey,
      files.meta,
      f.hint,
    );
    if (names.length !== f.classes)
      return { names: fallback, note: `${files.meta} has ${names.length} names in '${f.namesKey}', not ${f.classes}; ${instead}.` };
    return { names };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { names: fallback, note: `${e.message} ${instead[0].toUpperCase()}${instead.slice(1)}.` };
  }
}

function trainEntries(f: CifarPyFormat, files: CifarPyFiles, names: readonly string[] | undefined): { entries: TrainEntry[]; count: number } {
  const entries: TrainEntry[] = [];
  for (const file of files.train) {
    const b = readCifarPyBatch(f, file);
    b.labels.forEach((label, k) => entries.push({ index: entries.length, label, className: names?.[label], file: `${basename(file)} image ${k}` }));
  }
  return { entries, count: entries.length };
}

/** The store's layout of one Python version (the registry has one line per version). */
export function cifarPyLayout(f: CifarPyFormat): FolderLayout<{ kind: string; dir: string }> {
  const filesOf = (spec: { dir: string }, workspaceDir: string): CifarPyFiles => cifarPyFiles(f, resolve(workspaceDir, spec.dir));
  return {
    classNames: (spec, workspaceDir) => cifarPyClassNames(f, filesOf(spec, workspaceDir)).names,
    fingerprint: (spec, workspaceDir) => {
      const l = filesOf(spec, workspaceDir);
      const names = [...l.train, l.test, ...(l.meta ? [l.meta] : [])].map((p) => relative(l.dir, p));
      return { kind: spec.kind, stats: fileStats(l.dir, names) };
    },
    summary: (spec, workspaceDir, withFiles) => {
      const l = filesOf(spec, workspaceDir);
      const names = cifarPyClassNames(f, l).names;
      const { entries, count } = trainEntries(f, l, names);
      return { dir: l.dir, classNames: names, train: count, test: readCifarPyBatch(f, l.test).n, files: withFiles ? entries : undefined };
    },
    check: (dir) => {
      cifarPyFiles(f, dir);
    },
    detect: (dir) => {
      try {
        cifarPyFiles(f, dir);
        return true;
      } catch (e) {
        if (e instanceof UserError) return false;
        throw e;
      }
    },
  };
}
