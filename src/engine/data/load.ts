// Resolves a DataSpec to train/test image sets: the bundled subset, idx, CIFAR-10 binary, ImageFolder.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSpec } from '../../protocol/config';
import { UserError } from '../../store/errors';
import { loadCifar10Folder } from './cifar10';
import { fromIdx, type SplitData } from './dataset';
import { idxClassCount, readIdxFile, readIdxFileAsync, type IdxArray } from './idx';
import { loadImageFolder } from './imageFolder';
import { FASHION_MNIST_CLASSES } from '../../store/data/layout';
import { normalizeSplit } from './normalize';

// Their home is layout.ts (no decoders, so the extension host can import it); kept here for old importers.
export { FASHION_MNIST_CLASSES, IDX_FILE_STEMS } from '../../store/data/layout';

/** The bundled subset lives in data/fashion-mnist-subset at the package root. */
export function defaultDataDir(): string {
  const candidates = [
    join(__dirname, '..', 'data', 'fashion-mnist-subset'),          // dist/job.js, dist/cli.js
    join(__dirname, '..', '..', '..', 'data', 'fashion-mnist-subset'), // out/src/engine/data/*.js
    join(__dirname, '..', '..', '..', '..', 'data', 'fashion-mnist-subset'),
  ];
  const found = candidates.find((d) => existsSync(join(d, 'train-images-idx3-ubyte.gz')));
  if (!found) throw new UserError('The bundled default data set is missing.', 'Reinstall the extension, or run `node scripts/make-default-data.mjs`.');
  return found;
}

function findFile(dir: string, stem: string): string {
  for (const name of [stem, `${stem}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new UserError(`${dir} has no ${stem} (or ${stem}.gz).`, 'An idx data folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.', dir);
}

const IDX_STEMS = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

function idxFolderFiles(dir: string): string[] {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new UserError(`Data folder ${abs} does not exist.`, 'Set the data folder to a directory with the four idx files.', abs);
  return IDX_STEMS.map((stem) => findFile(abs, stem));
}

function idxFolderData(dir: string, files: string[], arrays: IdxArray[]): SplitData {
  const abs = resolve(dir);
  const [trainImages, trainLabels, testImages, testLabels] = arrays;
  const numClasses = idxClassCount(trainLabels, testLabels, files[1], files[3]);
  const train = fromIdx(trainImages, trainLabels, `${abs} (train)`);
  const test = fromIdx(testImages, testLabels, `${abs} (test)`);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new UserError(`${abs}: train images are ${train.height}×${train.width}×${train.channels} but test images are ${test.height}×${test.width}×${test.channels}.`, undefined, abs);
  }
  train.numClasses = numClasses;
  test.numClasses = numClasses;
  return { train, test };
}

export function loadIdxFolder(dir: string): SplitData {
  const files = idxFolderFiles(dir);
  return idxFolderData(dir, files, files.map((f) => readIdxFile(f)));
}

/** loadData for a job: idx files are read without blocking, so cancel is heard while they load. */
export async function loadDataAsync(spec: DataSpec, workspaceDir: string, signal?: AbortSignal): Promise<SplitData> {
  return normalizeSplit(await loadRawAsync(spec, workspaceDir, signal), spec.normalize);
}

async function loadRawAsync(spec: DataSpec, workspaceDir: string, signal?: AbortSignal): Promise<SplitData> {
  if (spec.kind !== 'default' && spec.kind !== 'idx') return loadRaw(spec, workspaceDir);
  const dir = spec.kind === 'default' ? defaultDataDir() : resolve(workspaceDir, spec.dir);
  const files = idxFolderFiles(dir);
  const arrays: IdxArray[] = [];
  for (const f of files) arrays.push(await readIdxFileAsync(f, signal));
  const data = idxFolderData(dir, files, arrays);
  return spec.kind === 'default' ? { ...data, classNames: FASHION_MNIST_CLASSES } : data;
}

/** Loads and scales the pixels as `spec.normalize` asks ([0, 1] by default). */
export function loadData(spec: DataSpec, workspaceDir: string): SplitData {
  return normalizeSplit(loadRaw(spec, workspaceDir), spec.normalize);
}

function loadRaw(spec: DataSpec, workspaceDir: string): SplitData {
  switch (spec.kind) {
    case 'default':
      return { ...loadIdxFolder(defaultDataDir()), classNames: FASHION_MNIST_CLASSES };
    case 'idx':
      return loadIdxFolder(resolve(workspaceDir, spec.dir));
    case 'cifar10':
      return loadCifar10Folder(resolve(workspaceDir, spec.dir));
    case 'imagefolder':
      return loadImageFolder(resolve(workspaceDir, spec.dir), { size: spec.size });
  }
}
