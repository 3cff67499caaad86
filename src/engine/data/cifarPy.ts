// CIFAR-10/100's Python versions as image sets: each batch's [N, 3072] rows (the red, green and blue
// 32×32 planes of one image) interleaved into our NHWC layout, as torchvision's
// data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1) does, then ÷255 (ToTensor()).
import { basename } from 'node:path';
import { CIFAR_PY_PIXELS, CIFAR_PY_SIDE, cifarPyClassNames, cifarPyFiles, readCifarPyBatch, type CifarPyFormat } from '../../store/data/cifarPyLayout';
import type { DataNote, ImageSet, SplitData } from './dataset';

const PLANE = CIFAR_PY_SIDE * CIFAR_PY_SIDE;

function readSplit(f: CifarPyFormat, files: string[], source: string): ImageSet {
  const batches = files.map((file) => readCifarPyBatch(f, file));
  const n = batches.reduce((a, b) => a + b.n, 0);
  const images = new Float32Array(n * CIFAR_PY_PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  for (const b of batches) {
    labels.set(b.labels, row);
    for (let k = 0; k < b.n; k++, row++) {
      const at = k * CIFAR_PY_PIXELS;
      const out = row * CIFAR_PY_PIXELS;
      for (let p = 0; p < PLANE; p++) {
        images[out + 3 * p] = b.pixels[at + p] / 255;
        images[out + 3 * p + 1] = b.pixels[at + PLANE + p] / 255;
        images[out + 3 * p + 2] = b.pixels[at + 2 * PLANE + p] / 255;
      }
    }
  }
  return { images, labels, n, height: CIFAR_PY_SIDE, width: CIFAR_PY_SIDE, channels: 3, numClasses: f.classes, source };
}

export function loadCifarPyFolder(f: CifarPyFormat, dir: string): SplitData {
  const files = cifarPyFiles(f, dir);
  const { names, note } = cifarPyClassNames(f, files);
  const trainNames = files.train.map((p) => basename(p)).join(', ');
  const train = readSplit(f, files.train, `${files.dir} (train: ${trainNames})`);
  const test = readSplit(f, [files.test], `${files.dir} (test)`);
  const notes: DataNote[] = [
    { level: 'info', message: `${f.what}: training on ${trainNames} (${train.n} images), testing on ${basename(files.test)} (${test.n}).` },
  ];
  if (files.missingTrain.length) {
    notes.push({
      level: 'warn',
      message: `${f.what}: ${files.missingTrain.join(', ')} ${files.missingTrain.length > 1 ? 'are' : 'is'} not in ${files.dir}; the training set is the other batches only.`,
    });
  }
  if (note) notes.push({ level: 'warn', message: note });
  return { train, test, classNames: names, notes };
}
