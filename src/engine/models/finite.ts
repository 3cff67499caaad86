// Counts NaN and ±Inf weights: a diverged training must not be cached or unlearned from, since
// every later step would only spread them (and blame the model file for it).
import { tf, type T } from '../tf';

export interface NonFinite {
  /** NaN or ±Inf values over all weights. */
  count: number;
  /** The first weight variable that holds one, e.g. "dense_Dense1/kernel". */
  firstLayer?: string;
}

export function nonFiniteWeights(model: T.LayersModel): NonFinite {
  let count = 0;
  let firstLayer: string | undefined;
  for (const w of model.weights) {
    // One number back per variable; the mask tensors die in the tidy.
    const n = tf.tidy(() => tf.logicalNot(tf.isFinite(w.read())).sum().dataSync()[0]);
    if (n > 0 && firstLayer === undefined) firstLayer = w.originalName;
    count += n;
  }
  return { count, firstLayer };
}
