// Loader for torchvision-style ImageFolder data: root/train/<class>/<image> and root/test/<class>/<image>.
// Two passes: the headers first (sizes and colour of every image, so that a mismatch is reported
// before minutes of decoding), then the pixels, each image decoded straight into its row of the
// split's one Float32Array. No resizing: every image must have the same height × width.
import { relative } from 'node:path';
import { UserError } from '../errors';
import type { DataNote, ImageSet, SplitData } from './dataset';
import { readImage, readImageHeader, writePixels } from './image';
import { listImageFolder, type ImageFolderSplit } from './layout';

interface Geometry {
  height: number;
  width: number;
  /** The first image, named when another one differs. */
  file: string;
}

function checkSizes(split: ImageFolderSplit, geometry: { g?: Geometry; allGray: boolean }, root: string): void {
  for (const file of split.files) {
    const h = readImageHeader(file);
    geometry.allGray &&= h.gray;
    const g = geometry.g;
    if (!g) { geometry.g = { height: h.height, width: h.width, file }; continue; }
    if (h.height !== g.height || h.width !== g.width) {
      throw new UserError(
        `${file} is ${h.height}×${h.width} (height×width) but ${relative(root, g.file)} and the images before it are ${g.height}×${g.width}.`,
        'Every image of an ImageFolder must have the same size (SalUn Lab does not resize); resize the data set first, e.g. with torchvision.transforms.Resize or `mogrify -resize WxH! *.png`.',
        file);
    }
  }
}

function readSplit(split: ImageFolderSplit, g: Geometry, channels: 1 | 3, numClasses: number, root: string): ImageSet {
  const n = split.files.length;
  const size = g.height * g.width * channels;
  const images = new Float32Array(n * size);
  split.files.forEach((file, i) => {
    const img = readImage(file);
    // The headers were checked, but a file may lie in its header or change in between.
    if (img.height !== g.height || img.width !== g.width) {
      throw new UserError(`${file} decodes to ${img.height}×${img.width}, not ${g.height}×${g.width}.`, 'Re-save the image, or remove it from the data folder.', file);
    }
    writePixels(img, images, i * size, channels);
  });
  return { images, labels: split.labels, n, height: g.height, width: g.width, channels, numClasses, source: `${root}/${split.name}` };
}

function skippedNote(split: ImageFolderSplit): string | undefined {
  const k = split.skipped.length;
  if (k === 0) return undefined;
  const shown = split.skipped.slice(0, 3).join(', ');
  return `ImageFolder ${split.name}/: skipped ${k} entr${k === 1 ? 'y' : 'ies'} that ${k === 1 ? 'is' : 'are'} not a .png, .jpg or .jpeg file (${shown}${k > 3 ? ', …' : ''}).`;
}

/**
 * Loads an ImageFolder. Classes are the training split's sorted subfolders; 1 channel when every
 * image is grayscale, else 3 (gray repeated, alpha dropped). Index i of the training set is
 * `listImageFolder(dir).train.files[i]`.
 */
export function loadImageFolder(dir: string): SplitData {
  const layout = listImageFolder(dir);
  const geometry: { g?: Geometry; allGray: boolean } = { allGray: true };
  checkSizes(layout.train, geometry, layout.root);
  checkSizes(layout.test, geometry, layout.root);
  const g = geometry.g as Geometry; // listImageFolder refuses an empty class, so both splits have images
  const channels = geometry.allGray ? 1 : 3;
  const numClasses = layout.classNames.length;
  const train = readSplit(layout.train, g, channels, numClasses, layout.root);
  const test = readSplit(layout.test, g, channels, numClasses, layout.root);
  const names = layout.classNames.length > 12 ? `${layout.classNames.slice(0, 12).join(', ')}, …` : layout.classNames.join(', ');
  const notes: DataNote[] = [
    { level: 'info', message: `ImageFolder: ${train.n} train / ${test.n} ${layout.test.name} images of ${g.height}×${g.width}×${channels}, ${numClasses} classes (${names}).` },
    ...[skippedNote(layout.train), skippedNote(layout.test)].filter((s): s is string => s !== undefined).map((message): DataNote => ({ level: 'warn', message })),
  ];
  return { train, test, classNames: layout.classNames, notes };
}
