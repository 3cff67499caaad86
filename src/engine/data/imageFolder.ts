// Loader for torchvision-style ImageFolder data: root/train/<class>/<image> and root/test/<class>/<image>.
// Two passes: the headers first (sizes and colour of every image, so that a mismatch is reported
// before minutes of decoding), then the pixels, each image decoded straight into its row of the
// split's one Float32Array. Images of another size than the first one's (or than the data spec's
// `size`) are resized, bilinearly (resize.ts), and the notes say how many.
import { relative } from 'node:path';
import type { DataNote, ImageSet, SplitData } from './dataset';
import { readImage, readImageHeader, writePixels } from './image';
import { listImageFolder, type ImageFolderSplit } from '../../store/data/imageFolderLayout';
import { resizeBilinearInto, type Size } from './resize';

export interface ImageFolderOptions {
  /** Every image is resized to this; absent: to the first training image's size. */
  size?: Size;
}

interface HeaderScan {
  allGray: boolean;
  first?: Size & { file: string };
}

/** The header pass: whether every image is gray, and the first image's size. */
function scanHeaders(split: ImageFolderSplit, scan: HeaderScan): void {
  for (const file of split.files) {
    const h = readImageHeader(file);
    scan.allGray &&= h.gray;
    scan.first ??= { height: h.height, width: h.width, file };
  }
}

/** What the pixel pass resized, by source size ("28×28" → count). */
type Resized = Map<string, number>;

function readSplit(split: ImageFolderSplit, g: Size, channels: 1 | 3, numClasses: number, root: string, resized: Resized): ImageSet {
  const n = split.files.length;
  const size = g.height * g.width * channels;
  const images = new Float32Array(n * size);
  split.files.forEach((file, i) => {
    const img = readImage(file);
    if (img.height === g.height && img.width === g.width) {
      writePixels(img, images, i * size, channels);
      return;
    }
    const pixels = new Float32Array(img.height * img.width * channels);
    writePixels(img, pixels, 0, channels);
    resizeBilinearInto(pixels, img, channels, images, i * size, g);
    const key = `${img.height}×${img.width}`;
    resized.set(key, (resized.get(key) ?? 0) + 1);
  });
  return { images, labels: split.labels, n, height: g.height, width: g.width, channels, numClasses, source: `${root}/${split.name}` };
}

function resizedNote(resized: Resized, total: number, g: Size, why: string): DataNote | undefined {
  const k = [...resized.values()].reduce((a, c) => a + c, 0);
  if (k === 0) return undefined;
  const sizes = [...resized.entries()].sort((a, b) => b[1] - a[1]);
  const shown = sizes
    .slice(0, 4)
    .map(([s, c]) => `${c} of ${s}`)
    .join(', ');
  return {
    level: 'warn',
    message: `ImageFolder: resized ${k} of ${total} images to ${g.height}×${g.width} (${why}; bilinear): ${shown}${sizes.length > 4 ? ', …' : ''}. Set data.size to choose the size.`,
  };
}

function skippedNote(split: ImageFolderSplit): string | undefined {
  const k = split.skipped.length;
  if (k === 0) return undefined;
  const shown = split.skipped.slice(0, 3).join(', ');
  return `ImageFolder ${split.name}/: skipped ${k} entr${k === 1 ? 'y' : 'ies'} that ${k === 1 ? 'is' : 'are'} not a .png, .jpg or .jpeg file (${shown}${k > 3 ? ', …' : ''}).`;
}

/**
 * Loads an ImageFolder. Classes are the training split's sorted subfolders; 1 channel when every
 * image is grayscale, else 3 (gray repeated, alpha dropped). Images of another size than
 * `options.size` (default: the first training image's) are resized bilinearly. Index i of the
 * training set is `listImageFolder(dir).train.files[i]`.
 */
export function loadImageFolder(dir: string, options: ImageFolderOptions = {}): SplitData {
  const layout = listImageFolder(dir);
  const scan: HeaderScan = { allGray: true };
  scanHeaders(layout.train, scan);
  scanHeaders(layout.test, scan);
  // listImageFolder refuses an empty class, so both splits have images and `first` is set.
  const first = scan.first as Size & { file: string };
  const g: Size = options.size ?? { height: first.height, width: first.width };
  const channels = scan.allGray ? 1 : 3;
  const numClasses = layout.classNames.length;
  const resized: Resized = new Map();
  const train = readSplit(layout.train, g, channels, numClasses, layout.root, resized);
  const test = readSplit(layout.test, g, channels, numClasses, layout.root, resized);
  const names = layout.classNames.length > 12 ? `${layout.classNames.slice(0, 12).join(', ')}, …` : layout.classNames.join(', ');
  const notes: DataNote[] = [
    {
      level: 'info',
      message: `ImageFolder: ${train.n} train / ${test.n} ${layout.test.name} images of ${g.height}×${g.width}×${channels}, ${numClasses} classes (${names}).`,
    },
    ...[skippedNote(layout.train), skippedNote(layout.test)]
      .filter((s): s is string => s !== undefined)
      .map((message): DataNote => ({ level: 'warn', message })),
    ...[resizedNote(resized, train.n + test.n, g, options.size ? 'data.size' : `the size of ${relative(layout.root, first.file)}`)].filter(
      (n): n is DataNote => n !== undefined,
    ),
  ];
  return { train, test, classNames: layout.classNames, notes };
}
