// An idx data folder (MNIST, Fashion-MNIST, the bundled subset) as train/test image sets: the four
// files, each plain or .gz, read and checked against each other (classes, image sizes).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../store/errors';
import { IDX_FILE_STEMS } from '../../store/data/idxLayout';
import { fromIdx, type SplitData } from './dataset';
import { idxClassCount, readIdxFile, readIdxFileAsync, type IdxArray } from './idx';

function findFile(dir: string, stem: string): string {
  for (const name of [stem, `${stem}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new UserError(
    `${dir} has no ${stem} (or ${stem}.gz).`,
    `An idx data folder needs ${IDX_FILE_STEMS.slice(0, -1).join(', ')} and ${IDX_FILE_STEMS[IDX_FILE_STEMS.length - 1]}.`,
    dir,
  );
}

function idxFolderFiles(dir: string): string[] {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new UserError(`Data folder ${abs} does not exist.`, 'Set the data folder to a directory with the four idx files.', abs);
  return IDX_FILE_STEMS.map((stem) => findFile(abs, stem));
}

function idxFolderData(dir: string, files: string[], arrays: IdxArray[]): SplitData {
  const abs = resolve(dir);
  const [trainImages, trainLabels, testImages, testLabels] = arrays;
  const numClasses = idxClassCount(trainLabels, testLabels, files[1], files[3]);
  const train = fromIdx(trainImages, trainLabels, `${abs} (train)`);
  const test = fromIdx(testImages, testLabels, `${abs} (test)`);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new UserError(
      `${abs}: train images are ${train.height}×${train.width}×${train.channels} but test images are ${test.height}×${test.width}×${test.channels}.`,
      undefined,
      abs,
    );
  }
  train.numClasses = numClasses;
  test.numClasses = numClasses;
  return { train, test };
}

export function loadIdxFolder(dir: string): SplitData {
  const files = idxFolderFiles(dir);
  return idxFolderData(
    dir,
    files,
    files.map((f) => readIdxFile(f)),
  );
}

/** loadIdxFolder for a job: the files are read without blocking, so cancel is heard while they load. */
export async function loadIdxFolderAsync(dir: string, signal?: AbortSignal): Promise<SplitData> {
  const files = idxFolderFiles(dir);
  const arrays: IdxArray[] = [];
  for (const f of files) arrays.push(await readIdxFileAsync(f, signal));
  return idxFolderData(dir, files, arrays);
}
