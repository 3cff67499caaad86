// Counts NaN and ±Inf weights: a diverged training must not be cached or unlearned from, since
// every later step would only spread them (and blame the model file for it).
import type { ImageSet } from '../data/dataset';
import { batchShapeFor, logProbs } from './forward';
import type { Classifier } from './io';
import { tf, type T } from '../tf';

export interface NonFinite {
  /** NaN or ±Inf values over all weights. */
  count: number;
  /** The first weight variable that holds one, e.g. "dense_Dense1/kernel". */
  firstLayer?: string;
}

// Reads are async: the webgpu backend cannot read a tensor synchronously in Node.
export async function nonFiniteWeights(model: T.LayersModel): Promise<NonFinite> {
  let count = 0;
  let firstLayer: string | undefined;
  for (const w of model.weights) {
    // One number back per variable; the mask tensors die in the tidy.
    const n = await countAndDispose(tf.tidy(() => tf.logicalNot(tf.isFinite(w.read())).sum()));
    if (n > 0 && firstLayer === undefined) firstLayer = w.originalName;
    count += n;
  }
  return { count, firstLayer };
}

/**
 * NaN or ±Inf log-probabilities on the first rows of `indices`: weights can all be finite yet so
 * large that the logits overflow, which the metrics would only meet later as a NaN confidence.
 */
export async function nonFiniteOutputs(clf: Classifier, set: ImageSet, indices: Int32Array, rows = 256): Promise<number> {
  const k = Math.min(rows, indices.length);
  const size = set.height * set.width * set.channels;
  const batch = new Float32Array(k * size);
  for (let i = 0; i < k; i++) batch.set(set.images.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  const shape = batchShapeFor(clf, set)(k);
  return countAndDispose(tf.tidy(() => tf.logicalNot(tf.isFinite(logProbs(clf, tf.tensor(batch, shape), false))).sum()));
}

async function countAndDispose(t: T.Tensor): Promise<number> {
  const [n] = await t.data();
  t.dispose();
  return n;
}
