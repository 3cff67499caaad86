// torchvision's ImageFolder as files: root/train/<class>/<image> and root/test/<class>/<image>
// (or val/), PNG or JPEG. Labels are the training split's sorted class folders; training index i
// is the i-th image by class folder, then file name, which is what a forget-index file refers to.
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors';
import { fileStats, isDir, isFile, requireFolder, visibleEntries } from './folders';
import type { FolderLayout } from './formatLayout';

/** The image files an ImageFolder may hold (lower case; the match ignores case). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
/** torchvision's ImageFolder has no fixed test split name; `val` is the other common one. */
export const IMAGE_FOLDER_TEST_NAMES = ['test', 'val'] as const;

const IMAGE_FOLDER_HINT =
  'An ImageFolder is <folder>/train/<class>/<image> and <folder>/test/<class>/<image> (or val/ instead of test/), with PNG or JPEG images.';

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
export function imageFolderClasses(dir: string): {
  root: string;
  trainDir: string;
  testDir: string;
  testName: string;
  classNames: string[];
  testClassNames: string[];
} {
  const root = resolve(dir);
  requireFolder(root, 'ImageFolder', IMAGE_FOLDER_HINT);
  const trainDir = join(root, 'train');
  const testName = IMAGE_FOLDER_TEST_NAMES.find((n) => isDir(join(root, n)));
  const lacking = [...(isDir(trainDir) ? [] : ['train/']), ...(testName ? [] : ['test/ (or val/)'])];
  if (lacking.length) {
    const inside = ['train', ...IMAGE_FOLDER_TEST_NAMES].includes(basename(root))
      ? ` It looks like a split folder itself: choose its parent, ${dirname(root)}.`
      : '';
    throw new UserError(
      `${root} is not an ImageFolder: ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} missing.${inside}`,
      IMAGE_FOLDER_HINT,
      root,
    );
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
      join(testDir, unknown[0]),
    );
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
      throw new UserError(
        `The class folder ${classDir} has no PNG or JPEG images.`,
        "Put the class's images in it (.png, .jpg or .jpeg), or remove the empty folder.",
        classDir,
      );
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

export const IMAGE_FOLDER_LAYOUT: FolderLayout<{ kind: string; dir: string; size?: { height: number; width: number } }> = {
  classNames: (spec, workspaceDir) => imageFolderClasses(resolve(workspaceDir, spec.dir)).classNames,
  fingerprint: (spec, workspaceDir) => {
    // Relative paths too: an ImageFolder's labels are its folder names.
    const l = listImageFolder(resolve(workspaceDir, spec.dir));
    const stats = fileStats(
      l.root,
      [...l.train.files, ...l.test.files].map((f) => relative(l.root, f)),
    );
    // The size option changes every image; without it the key has no size field, so caches made without the option stay valid.
    return { kind: spec.kind, stats, ...(spec.size ? { size: spec.size } : {}) };
  },
  summary: (spec, workspaceDir, withFiles) => {
    const l = listImageFolder(resolve(workspaceDir, spec.dir));
    return {
      dir: l.root,
      classNames: l.classNames,
      train: l.train.files.length,
      test: l.test.files.length,
      skipped: [...l.train.skipped, ...l.test.skipped],
      files: withFiles
        ? l.train.files.map((f, index) => ({ index, label: l.train.labels[index], className: l.classNames[l.train.labels[index]], file: relative(l.root, f) }))
        : undefined,
    };
  },
  check: (dir) => {
    imageFolderClasses(dir);
  },
  // Split folders alone: a folder that has them is an ImageFolder attempt, and check() says what else it lacks.
  detect: (dir) => isDir(join(dir, 'train')) && IMAGE_FOLDER_TEST_NAMES.some((n) => isDir(join(dir, n))),
};
