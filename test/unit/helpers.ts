// Tiny data and models for engine unit tests (cpu backend, milliseconds per test).
import type { ImageSet } from '../../src/engine/data/dataset';
import { classifierOf, type Classifier } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { tf } from '../../src/engine/tf';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** n random 4×4×1 images whose label is decided by which quadrant is brightest (learnable). */
export function toyImages(n: number, seed: number, numClasses = 3): ImageSet {
  const rand = makeRng(seed);
  const images = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = Math.floor(rand() * numClasses);
    labels[i] = label;
    for (let p = 0; p < 16; p++) images[i * 16 + p] = 0.3 * rand() + ((p % numClasses) === label ? 0.6 : 0);
  }
  return { images, labels, n, height: 4, width: 4, channels: 1, numClasses, source: 'toy' };
}

export function tinyMlp(seed: number, numClasses = 3, withBatchNorm = false): Classifier {
  const layers: NonNullable<NonNullable<Parameters<typeof tf.sequential>[0]>['layers']> = [
    tf.layers.flatten({ inputShape: [4, 4, 1] }),
    tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }) }),
  ];
  if (withBatchNorm) layers.push(tf.layers.batchNormalization());
  layers.push(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }));
  return classifierOf(tf.sequential({ layers }));
}
