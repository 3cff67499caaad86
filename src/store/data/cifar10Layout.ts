// CIFAR-10's binary version as files (https://www.cs.toronto.edu/~kriz/cifar.html):
// data_batch_1.bin … data_batch_5.bin and test_batch.bin, each a run of fixed-size records, and
// batches.meta.txt with the class names. Training index i is record i of the batches in order.
import { readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../errors';
import { fileStats, isFile, requireFolder, visibleEntries } from './folders';
import type { FolderLayout, TrainEntry } from './formatLayout';

/** The names of batches.meta.txt in the official cifar-10-batches-bin, label order. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
/** The folder the official archive (cifar-10-binary.tar.gz) unpacks to; picking its parent works too. */
const CIFAR10_ARCHIVE_DIR = 'cifar-10-batches-bin';

/** One record: a label byte, then the 32×32 red, green and blue planes. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

const CIFAR10_HINT =
  'Use the binary version of CIFAR-10 (cifar-10-binary.tar.gz, unpacked: cifar-10-batches-bin with data_batch_1.bin … data_batch_5.bin and test_batch.bin).';

export interface Cifar10Layout {
  /** The folder that holds the .bin files (the one picked, or its cifar-10-batches-bin). */
  dir: string;
  /** The training batches found, in order (absolute paths). */
  train: string[];
  /** data_batch_k.bin files that are absent: a partial download, or a deliberate subset. */
  missingTrain: string[];
  test: string;
  /** batches.meta.txt, when present. */
  meta?: string;
}

/** The files of a CIFAR-10 binary folder; throws a UserError naming what is missing. */
export function cifar10Layout(dir: string): Cifar10Layout {
  const abs = resolve(dir);
  requireFolder(abs, 'CIFAR-10 folder', CIFAR10_HINT);
  const holds = (d: string): boolean => CIFAR10_TRAIN_FILES.some((f) => isFile(join(d, f))) || isFile(join(d, CIFAR10_TEST_FILE));
  const inner = join(abs, CIFAR10_ARCHIVE_DIR);
  const root = !holds(abs) && holds(inner) ? inner : abs;
  const train = CIFAR10_TRAIN_FILES.filter((f) => isFile(join(root, f)));
  const missingTrain = CIFAR10_TRAIN_FILES.filter((f) => !train.includes(f));
  const test = join(root, CIFAR10_TEST_FILE);
  const lacking: string[] = [];
  if (train.length === 0) lacking.push('data_batch_1.bin … data_batch_5.bin (at least one)');
  if (!isFile(test)) lacking.push(CIFAR10_TEST_FILE);
  if (lacking.length) {
    const others = visibleEntries(root).filter((n) => n.endsWith('.bin'));
    const cifar100 = others.includes('train.bin') ? " It holds train.bin: CIFAR-100's binary format, which is not supported." : '';
    throw new UserError(
      `${root} is not a CIFAR-10 binary folder: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing.${cifar100}`,
      CIFAR10_HINT,
      root,
    );
  }
  const meta = join(root, CIFAR10_META_FILE);
  return { dir: root, train: train.map((f) => join(root, f)), missingTrain, test, meta: isFile(meta) ? meta : undefined };
}

/** Class names from batches.meta.txt (one per line), else the ten standard names. */
export function cifar10ClassNames(layout: Pick<Cifar10Layout, 'meta'>): { names: string[]; note?: string } {
  if (!layout.meta) return { names: CIFAR10_CLASSES };
  let lines: string[];
  try {
    lines = readFileSync(layout.meta, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  } catch (e) {
    return { names: CIFAR10_CLASSES, note: `${layout.meta} is unreadable (${(e as Error).message}); using the standard CIFAR-10 class names.` };
  }
  if (lines.length !== 10) {
    return { names: CIFAR10_CLASSES, note: `${layout.meta} has ${lines.length} names, not 10; using the standard CIFAR-10 class names.` };
  }
  return { names: lines };
}

/** Whole records in a file, by its size (a truncated tail is the loader's to report). */
function records(path: string): number {
  return Math.floor(statSync(path).size / CIFAR10_RECORD_BYTES);
}

/** Every training record as `salun data --files` lists it: its batch file and record number. */
function trainEntries(l: Cifar10Layout, names: readonly string[]): TrainEntry[] {
  const list: TrainEntry[] = [];
  for (const f of l.train) {
    const bytes = readFileSync(f);
    const n = records(f);
    for (let k = 0; k < n; k++) {
      const label = bytes[k * CIFAR10_RECORD_BYTES];
      list.push({ index: list.length, label, className: names[label], file: `${basename(f)} record ${k}` });
    }
  }
  return list;
}

export const CIFAR10_LAYOUT: FolderLayout<{ kind: string; dir: string }> = {
  classNames: (spec, workspaceDir) => cifar10ClassNames(cifar10Layout(resolve(workspaceDir, spec.dir))).names,
  fingerprint: (spec, workspaceDir) => {
    const l = cifar10Layout(resolve(workspaceDir, spec.dir));
    const files = [...l.train, l.test, ...(l.meta ? [l.meta] : [])].map((f) => relative(l.dir, f));
    return { kind: spec.kind, stats: fileStats(l.dir, files) };
  },
  summary: (spec, workspaceDir, withFiles) => {
    const l = cifar10Layout(resolve(workspaceDir, spec.dir));
    const names = cifar10ClassNames(l).names;
    const train = l.train.map(records).reduce((a, c) => a + c, 0);
    return { dir: l.dir, classNames: names, train, test: records(l.test), files: withFiles ? trainEntries(l, names) : undefined };
  },
  check: (dir) => {
    cifar10Layout(dir);
  },
  detect: (dir) => {
    try {
      cifar10Layout(dir);
      return true;
    } catch (e) {
      if (e instanceof UserError) return false;
      throw e;
    }
  },
};
