// What a data folder holds, read from file and folder names only (no pixels): the checks of the
// New Run flow's folder pickers, the class names of its class step, the order that gives every
// training index its file, and the files of the model cache's fingerprint. Kept apart from the
// loaders so that the extension host can use it without bundling the image decoders.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { DataSpec } from '../../protocol/config';
import { UserError } from '../errors';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** The names of batches.meta.txt in the official cifar-10-batches-bin, label order. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The four files of an idx data folder, each plain or with `.gz`. */
export const IDX_FILE_STEMS = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
/** The folder the official archive (cifar-10-binary.tar.gz) unpacks to; picking its parent works too. */
const CIFAR10_ARCHIVE_DIR = 'cifar-10-batches-bin';

/** The image files an ImageFolder may hold (lower case; the match ignores case). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
/** torchvision's ImageFolder has no fixed test split name; `val` is the other common one. */
export const IMAGE_FOLDER_TEST_NAMES = ['test', 'val'] as const;

const CIFAR10_HINT = 'Use the binary version of CIFAR-10 (cifar-10-binary.tar.gz, unpacked: cifar-10-batches-bin with data_batch_1.bin … data_batch_5.bin and test_batch.bin).';
const IMAGE_FOLDER_HINT = 'An ImageFolder is <folder>/train/<class>/<image> and <folder>/test/<class>/<image> (or val/ instead of test/), with PNG or JPEG images.';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Entries without the hidden ones (".DS_Store", "._x.png", ".ipynb_checkpoints"), in code-point order as Python's sorted(). */
function visibleEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UserError(`Cannot read the folder ${dir}: ${(e as Error).message}`, undefined, dir);
  }
  return names.filter((n) => !n.startsWith('.')).sort(codePointOrder);
}

function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requireFolder(dir: string, what: string, hint: string): void {
  if (!existsSync(dir)) throw new UserError(`${what} ${dir} does not exist.`, hint, dir);
  if (!isDir(dir)) throw new UserError(`${what} ${dir} is not a folder.`, hint, dir);
}

// ---- CIFAR-10 binary ----

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
    const cifar100 = others.includes('train.bin') ? ' It holds train.bin: CIFAR-100\'s binary format, which is not supported.' : '';
    throw new UserError(`${root} is not a CIFAR-10 binary folder: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing.${cifar100}`, CIFAR10_HINT, root);
  }
  const meta = join(root, CIFAR10_META_FILE);
  return { dir: root, train: train.map((f) => join(root, f)), missingTrain, test, meta: isFile(meta) ? meta : undefined };
}

/** Class names from batches.meta.txt (one per line), else the ten standard names. */
export function cifar10ClassNames(layout: Pick<Cifar10Layout, 'meta'>): { names: string[]; note?: string } {
  if (!layout.meta) return { names: CIFAR10_CLASSES };
  let lines: string[];
  try {
    lines = readFileSync(layout.meta, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  } catch (e) {
    return { names: CIFAR10_CLASSES, note: `${layout.meta} is unreadable (${(e as Error).message}); using the standard CIFAR-10 class names.` };
  }
  if (lines.length !== 10) {
    return { names: CIFAR10_CLASSES, note: `${layout.meta} has ${lines.length} names, not 10; using the standard CIFAR-10 class names.` };
  }
  return { names: lines };
}

// ---- ImageFolder ----

export interface ImageFolderSplit {
  /** train, test or val. */
  name: string;
  dir: string;
  /** Image files (absolute paths) in index order: by class (sorted names), then by file name. */
  files: string[];
  /** The label of each file: its class folder's position in the sorted training classes. */
  labels: Int32Array;
  /** Entries of class folders that are not PNG/JPEG files (relative to the ImageFolder). */
  skipped: string[];
}

export interface ImageFolderLayout {
  root: string;
  /** The training split's class folders, sorted: label i is classNames[i], as torchvision numbers them. */
  classNames: string[];
  train: ImageFolderSplit;
  test: ImageFolderSplit;
}

/** The split folders and the class names, from folder names alone (the New Run flow's quick check). */
export function imageFolderClasses(dir: string): { root: string; trainDir: string; testDir: string; testName: string; classNames: string[]; testClassNames: string[] } {
  const root = resolve(dir);
  requireFolder(root, 'ImageFolder', IMAGE_FOLDER_HINT);
  const trainDir = join(root, 'train');
  const testName = IMAGE_FOLDER_TEST_NAMES.find((n) => isDir(join(root, n)));
  const lacking = [...(isDir(trainDir) ? [] : ['train/']), ...(testName ? [] : ['test/ (or val/)'])];
  if (lacking.length) {
    const inside = ['train', ...IMAGE_FOLDER_TEST_NAMES].includes(basename(root)) ? ` It looks like a split folder itself: choose its parent, ${dirname(root)}.` : '';
    throw new UserError(`${root} is not an ImageFolder: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing.${inside}`, IMAGE_FOLDER_HINT, root);
  }
  const testDir = join(root, testName as string);
  const classNames = visibleEntries(trainDir).filter((n) => isDir(join(trainDir, n)));
  if (classNames.length === 0) throw new UserError(`${trainDir} has no class folders.`, IMAGE_FOLDER_HINT, trainDir);
  const testClassNames = visibleEntries(testDir).filter((n) => isDir(join(testDir, n)));
  if (testClassNames.length === 0) throw new UserError(`${testDir} has no class folders.`, IMAGE_FOLDER_HINT, testDir);
  const unknown = testClassNames.filter((n) => !classNames.includes(n));
  if (unknown.length) {
    throw new UserError(
      `${testDir} has class folder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} that ${root}/train does not have.`,
      `Labels are numbered by the training split's sorted class folders (${classNames.join(', ')}); every test class must be one of them. Rename or remove the extra folder.`,
      join(testDir, unknown[0]));
  }
  return { root, trainDir, testDir, testName: testName as string, classNames, testClassNames };
}

function listSplit(root: string, name: string, splitDir: string, classNames: readonly string[], present: readonly string[]): ImageFolderSplit {
  const files: string[] = [];
  const labels: number[] = [];
  const skipped: string[] = [];
  for (const cls of present) {
    const classDir = join(splitDir, cls);
    const label = classNames.indexOf(cls);
    let count = 0;
    for (const entry of visibleEntries(classDir)) {
      const path = join(classDir, entry);
      if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(entry).toLowerCase()) && isFile(path)) {
        files.push(path);
        labels.push(label);
        count++;
      } else {
        skipped.push(relative(root, path));
      }
    }
    if (count === 0) {
      throw new UserError(`The class folder ${classDir} has no PNG or JPEG images.`, 'Put the class\'s images in it (.png, .jpg or .jpeg), or remove the empty folder.', classDir);
    }
  }
  return { name, dir: splitDir, files, labels: Int32Array.from(labels), skipped };
}

/**
 * Every image of an ImageFolder, in the order the loader reads them: index i of the training set
 * is `train.files[i]` (classes by sorted folder name, then files by sorted name; hidden files
 * ignored), which is what a forget-index file refers to.
 */
export function listImageFolder(dir: string): ImageFolderLayout {
  const c = imageFolderClasses(dir);
  const train = listSplit(c.root, 'train', c.trainDir, c.classNames, c.classNames);
  const test = listSplit(c.root, c.testName, c.testDir, c.classNames, c.testClassNames);
  return { root: c.root, classNames: c.classNames, train, test };
}

// ---- any kind ----

/** The folder of a data spec, resolved against the workspace; the bundled data has none here. */
export function dataSpecDir(spec: Exclude<DataSpec, { kind: 'default' }>, workspaceDir: string): string {
  return resolve(workspaceDir, spec.dir);
}

/**
 * The class names of the data, cheaply (folder names, batches.meta.txt; no pixels), for the class
 * step of the New Run flow and the summaries. undefined when the format does not name its classes
 * (idx). Throws a UserError when the folder does not hold that format.
 */
export function describeDataClasses(spec: DataSpec, workspaceDir: string): string[] | undefined {
  switch (spec.kind) {
    case 'default':
      return FASHION_MNIST_CLASSES;
    case 'idx':
      return undefined;
    case 'cifar10':
      return cifar10ClassNames(cifar10Layout(dataSpecDir(spec, workspaceDir))).names;
    case 'imagefolder':
      return imageFolderClasses(dataSpecDir(spec, workspaceDir)).classNames;
  }
}

/**
 * What is wrong with a folder as data of `kind`, in one sentence, or undefined when its layout
 * is right (the files themselves are read only by the job). For the New Run flow's folder pickers.
 */
export function dataFolderProblem(kind: 'cifar10' | 'imagefolder', dir: string): string | undefined {
  try {
    if (kind === 'cifar10') cifar10Layout(dir);
    else imageFolderClasses(dir);
    return undefined;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return `${e.message}${e.hint ? ` ${e.hint}` : ''}`;
  }
}

/** Which format a folder holds, from its file names: for `--data <dir>` on the command line. */
export function detectDataKind(dir: string): 'idx' | 'cifar10' | 'imagefolder' | undefined {
  const abs = resolve(dir);
  if (!isDir(abs)) return undefined;
  if (IDX_FILE_STEMS.every((s) => isFile(join(abs, s)) || isFile(join(abs, `${s}.gz`)))) return 'idx';
  if (dataFolderProblem('cifar10', abs) === undefined) return 'cifar10';
  if (isDir(join(abs, 'train')) && IMAGE_FOLDER_TEST_NAMES.some((n) => isDir(join(abs, n)))) return 'imagefolder';
  return undefined;
}

/**
 * The files whose names, sizes and modification times identify the data of a folder format, for
 * the model cache's fingerprint: paths relative to `root`.
 */
export function dataFiles(spec: Extract<DataSpec, { kind: 'cifar10' | 'imagefolder' }>, workspaceDir: string): { root: string; files: string[] } {
  const dir = dataSpecDir(spec, workspaceDir);
  if (spec.kind === 'cifar10') {
    const l = cifar10Layout(dir);
    return { root: l.dir, files: [...l.train, l.test, ...(l.meta ? [l.meta] : [])].map((f) => relative(l.dir, f)) };
  }
  const l = listImageFolder(dir);
  return { root: l.root, files: [...l.train.files, ...l.test.files].map((f) => relative(l.root, f)) };
}
