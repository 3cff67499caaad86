// Penultimate-layer features of a classifier: the input of its last weighted layer (the logits
// layer), flattened. For the built-in cnn that is fc1's 128 ReLU units, for the mlp fc2's 128, for
// ResNet-18 the 512 pooled channels. FID-classifier (./frechet.ts) fits Gaussians to these, the way
// FID fits them to Inception-v3's pool features; Inception's weights cannot be had offline.
//
// The sub-model shares the classifier's layers and weights: it must never be disposed (that would
// dispose the classifier's weights), and building it allocates no tensors.
import { checkBatchFits, throwIfDeviceFailed } from '../backend/deviceHealth';
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { batchShapeFor } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';

/** The classifier from its input up to the input of its logits layer (softmax/activation/dropout tails skipped). */
export function penultimateModel(model: T.LayersModel): T.LayersModel {
  let i = model.layers.length - 1;
  while (i >= 0 && model.layers[i].trainableWeights.length === 0) i--;
  if (i <= 0) throw new Error(`${model.name} has no weighted layer with a hidden layer before it`);
  const input = model.layers[i].input;
  if (Array.isArray(input)) throw new Error(`${model.name}'s last weighted layer ${model.layers[i].name} has several inputs`);
  return tf.model({ inputs: model.inputs, outputs: input, name: `${model.name}_penultimate` });
}

export interface FeatureMatrix {
  /** Row-major n×dim. */
  values: Float32Array;
  n: number;
  dim: number;
}

/** Penultimate features of the rows `indices` of `set` (images in the classifier's input scale). */
export async function classifierFeatures(
  clf: Classifier,
  set: ImageSet,
  indices: ArrayLike<number>,
  signal?: AbortSignal,
  batchSize = 256,
): Promise<FeatureMatrix> {
  const sub = penultimateModel(clf.model);
  const dim = (sub.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const n = indices.length;
  const values = new Float32Array(n * dim);
  const shapeOf = batchShapeFor(clf, set);
  checkBatchFits(clf.model, Math.min(n, batchSize));
  for (let from = 0; from < n; from += batchSize) {
    throwIfAborted(signal);
    const to = Math.min(n, from + batchSize);
    const { x } = gatherRows(set, indices, from, to);
    const out = tf.tidy(() => tf.reshape(sub.apply(tf.tensor(x, shapeOf(to - from)), { training: false }) as T.Tensor, [to - from, dim]));
    values.set(await out.data(), from * dim);
    out.dispose();
    throwIfDeviceFailed(batchSize);
    await new Promise((r) => setImmediate(r));
  }
  return { values, n, dim };
}
