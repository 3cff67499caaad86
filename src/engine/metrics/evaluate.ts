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

/**
 * Runs `clf` over the rows `indices` of `set` in batches, one tidy each: `outputs` turns a batch's
 * log-probabilities (and its labels) into the tensors wanted, which are read back asynchronously
 * (no sync GPU read) and handed to `take` with the batch's first position and labels.
 */
export async function forEachLogProbBatch(
  clf: Classifier,
  set: ImageSet,
  indices: ArrayLike<number>,
  outputs: (logProbs: T.Tensor2D, labels: T.Tensor1D) => T.Tensor[],
  take: (values: Float32Array[], from: number, labels: Int32Array) => void,
  signal?: AbortSignal,
  batchSize = 512,
): Promise<void> {
  const n = indices.length;
  const shapeOf = batchShapeFor(clf, set);
  checkBatchFits(clf.model, Math.min(n, batchSize));
  for (let from = 0; from < n; from += batchSize) {
    throwIfAborted(signal);
    const to = Math.min(n, from + batchSize);
    const { x, y } = gatherRows(set, indices, from, to);
    const tensors = tf.tidy(() => outputs(logProbs(clf, tf.tensor(x, shapeOf(to - from)), false), tf.tensor1d(y, 'int32')));
    // argMax comes back as int32: every value is read as float32 here (class indices are exact).
    const values = await Promise.all(tensors.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(tensors);
    throwIfDeviceFailed(batchSize);
    take(values, from, y);
    await new Promise((r) => setImmediate(r));
  }
}

export async function predictPerSample(clf: Classifier, set: ImageSet, indices: ArrayLike<number>, signal?: AbortSignal, batchSize = 512): Promise<PerSample> {
  const n = indices.length;
  const confidence = new Float32Array(n);
  const correct = new Uint8Array(n);
  await forEachLogProbBatch(
    clf,
    set,
    indices,
    (lp, labels) => [tf.sum(tf.mul(tf.exp(lp), tf.oneHot(labels, lp.shape[1])), 1), tf.argMax(lp, 1)],
    ([c, a], from, y) => {
      confidence.set(c, from);
      for (let i = 0; i < y.length; i++) correct[from + i] = a[i] === y[i] ? 1 : 0;
    },
    signal,
    batchSize,
  );
  return { confidence, correct };
}

export function accuracyPercent(correct: Uint8Array): number {
  if (correct.length === 0) return NaN;
  let s = 0;
  for (const c of correct) s += c;
  return (100 * s) / correct.length;
}
