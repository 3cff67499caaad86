// The idx format of MNIST and Fashion-MNIST as files: a folder with four files, each plain or
// .gz, and the Fashion-MNIST subset bundled with the package (an idx folder itself). Training
// index i is record i of the training files, so there is no listing to make.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';
import { fileStats, isFile, requireFolder } from './folders';
import type { DataLayout, FolderLayout } from './formatLayout';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The four files of an idx data folder, each plain or with `.gz`. */
export const IDX_FILE_STEMS = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

const IDX_HINT = `An idx data folder needs ${IDX_FILE_STEMS.join(', ')} (each plain or .gz).`;

/**
 * The idx files a data folder lacks (neither plain nor .gz), by name. `exists` is injected so
 * callers without a file system (tests) can pass a set.
 */
export function missingIdxFiles(dir: string, exists: (path: string) => boolean): string[] {
  const sep = dir.endsWith('/') || dir.endsWith('\\') ? '' : '/';
  return IDX_FILE_STEMS.filter((stem) => !exists(`${dir}${sep}${stem}`) && !exists(`${dir}${sep}${stem}.gz`));
}

export function describeMissingIdx(dir: string, missing: readonly string[]): string {
  return (
    `${dir} is not an idx data folder: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (plain or .gz). ` +
    `It needs ${IDX_FILE_STEMS.join(', ')}.`
  );
}

/** The bundled subset lives in data/fashion-mnist-subset at the package root. */
export function defaultDataDir(): string {
  const candidates = [
    join(__dirname, '..', 'data', 'fashion-mnist-subset'), // dist/*.js
    join(__dirname, '..', '..', '..', 'data', 'fashion-mnist-subset'),
    join(__dirname, '..', '..', '..', '..', 'data', 'fashion-mnist-subset'), // out/src/store/data/*.js
  ];
  const found = candidates.find((d) => existsSync(join(d, 'train-images-idx3-ubyte.gz')));
  if (!found) throw new UserError('The bundled default data set is missing.', 'Reinstall the extension, or run `node scripts/make-default-data.mjs`.');
  return found;
}

/** The idx files present (plain and .gz), for the cache key: either may be the one read. */
function presentFiles(dir: string): string[] {
  return IDX_FILE_STEMS.flatMap((f) => [f, `${f}.gz`]).filter((f) => existsSync(join(dir, f)));
}

function checkIdxFolder(dir: string): void {
  const abs = resolve(dir);
  requireFolder(abs, 'Data folder', IDX_HINT);
  const missing = missingIdxFiles(abs, isFile);
  if (missing.length) throw new UserError(describeMissingIdx(abs, missing), undefined, abs);
}

export const IDX_LAYOUT: FolderLayout<{ kind: string; dir: string }> = {
  classNames: () => undefined,
  fingerprint: (spec, workspaceDir) => {
    const dir = resolve(workspaceDir, spec.dir);
    return { kind: spec.kind, stats: fileStats(dir, presentFiles(dir)) };
  },
  summary: (spec, workspaceDir) => ({ dir: resolve(workspaceDir, spec.dir) }),
  check: checkIdxFolder,
  detect: (dir) => missingIdxFiles(resolve(dir), isFile).length === 0,
};

export const BUNDLED_LAYOUT: DataLayout<{ kind: string }> = {
  classNames: () => FASHION_MNIST_CLASSES,
  // The bundled files' times change with every install; their sizes do not.
  fingerprint: (spec) => {
    const dir = defaultDataDir();
    return { kind: spec.kind, stats: fileStats(dir, presentFiles(dir), false) };
  },
  summary: () => ({ classNames: FASHION_MNIST_CLASSES }),
};
