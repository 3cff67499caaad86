// Forward passes for evaluation, in batches with one tidy each: the wasm heap stops at 4 GiB and an
// allocation past it silently corrupts other tensors, so a whole-set forward pass is never made.
import { checkBatchFits, throwIfDeviceFailed } from '../backend/deviceHealth';
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { batchShapeFor, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';

export interface PerSample {
  /** Softmax probability of the true label (the MIA feature). */
  confidence: Float32Array;
  correct: Uint8Array;
}

export async function predictPerSample(clf: Classifier, set: ImageSet, indices: ArrayLike<number>, signal?: AbortSignal, batchSize = 512): Promise<PerSample> {
  const n = indices.length;
  const confidence = new Float32Array(n);
  const correct = new Uint8Array(n);
  const shapeOf = batchShapeFor(clf, set);
  checkBatchFits(clf.model, Math.min(n, batchSize));
  for (let from = 0; from < n; from += batchSize) {
    throwIfAborted(signal);
    const to = Math.min(n, from + batchSize);
    const { x, y } = gatherRows(set, indices, from, to);
    const [conf, pred] = tf.tidy((): [T.Tensor, T.Tensor] => {
      const lp = logProbs(clf, tf.tensor(x, shapeOf(to - from)), false);
      const p = tf.exp(lp);
      const pTrue = tf.sum(tf.mul(p, tf.oneHot(tf.tensor1d(y, 'int32'), lp.shape[1])), 1);
      return [pTrue, tf.argMax(lp, 1)];
    });
    const [c, a] = await Promise.all([conf.data(), pred.data()]);
    conf.dispose();
    pred.dispose();
    throwIfDeviceFailed(batchSize);
    confidence.set(c, from);
    for (let i = 0; i < to - from; i++) correct[from + i] = a[i] === y[i] ? 1 : 0;
    await new Promise((r) => setImmediate(r));
  }
  return { confidence, correct };
}

export function accuracyPercent(correct: Uint8Array): number {
  if (correct.length === 0) return NaN;
  let s = 0;
  for (const c of correct) s += c;
  return (100 * s) / correct.length;
}
