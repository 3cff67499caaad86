// Tiny data and U-Nets for the generation unlearning tests: 8×8×1 images of three classes (so a
// random other class c′ has two choices) and a U-Net with widths [4, 8].
import type { ImageSet } from '../../src/engine/data/dataset';
import { buildUnet, type UnetConfig } from '../../src/engine/generation/unet';
import { makeRng } from '../../src/engine/rng';
import { tf, type T } from '../../src/engine/tf';

/** Class 0 bright on the left half, class 1 on the top half, class 2 on the main diagonal band. */
export function toyImages(n: number, seed: number): ImageSet {
  const rand = makeRng(seed);
  const images = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let p = 0; p < 64; p++) {
      const r = p >> 3;
      const c = p & 7;
      const bright = labels[i] === 0 ? c < 4 : labels[i] === 1 ? r < 4 : Math.abs(r - c) <= 1;
      images[i * 64 + p] = (bright ? 0.85 : 0.05) + 0.1 * rand();
    }
  }
  return { images, labels, n, height: 8, width: 8, channels: 1, numClasses: 3, source: 'toy' };
}

export const TINY_UNET: UnetConfig = { height: 8, width: 8, channels: 1, numClasses: 3, widths: [4, 8], groups: 2, embedDim: 8, seed: 1 };

/** The same seed rebuilds the same weights: θu and its frozen θo start equal. */
export function tinyUnet(seed: number): T.LayersModel {
  return buildUnet({ ...TINY_UNET, seed });
}

/** A U-Net whose class input has no effect: the class embedding's kernel is all zeros. */
export function classBlindUnet(seed: number): T.LayersModel {
  const model = tinyUnet(seed);
  const layer = model.getLayer('class_embedding');
  const zeros = tf.zeros(layer.getWeights()[0].shape);
  layer.setWeights([zeros]);
  zeros.dispose();
  return model;
}

export function indicesOfClass(set: ImageSet, cls: number, keep: boolean): Int32Array {
  return Int32Array.from(Array.from(set.labels.keys()).filter((i) => (set.labels[i] === cls) === keep));
}

/** Every variable's values, copied. */
export function snapshot(vars: readonly T.Variable[]): Float32Array[] {
  return vars.map((v) => Float32Array.from(v.dataSync()));
}
