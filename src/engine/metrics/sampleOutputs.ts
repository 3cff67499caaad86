// The tensor half of the Retrain-free verdict (verdict.ts holds the statistics): a model's
// per-sample correctness, true-label loss and largest softmax probability on a set of rows. The
// loss is taken from the log-softmax, not as −log of a float32 probability, which underflows to 0
// (loss ∞) for a confidently wrong sample. Batched with one tidy each, as evaluate.ts and for the
// same reason (the wasm heap).
import { checkBatchFits, throwIfDeviceFailed } from '../backend/deviceHealth';
import { allIndices, gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { batchShapeFor, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';
import type { SampleOutputs } from './verdict';

export interface CollectedOutputs extends SampleOutputs {
  correct: Uint8Array;
  loss: Float32Array;
  confidence: Float32Array;
}

export async function collectSampleOutputs(
  clf: Classifier,
  set: ImageSet,
  indices: ArrayLike<number>,
  signal?: AbortSignal,
  batchSize = 512,
): Promise<CollectedOutputs> {
  const n = indices.length;
  const out: CollectedOutputs = { correct: new Uint8Array(n), loss: new Float32Array(n), confidence: new Float32Array(n) };
  const shapeOf = batchShapeFor(clf, set);
  checkBatchFits(clf.model, Math.min(n, batchSize));
  for (let from = 0; from < n; from += batchSize) {
    throwIfAborted(signal);
    const to = Math.min(n, from + batchSize);
    const { x, y } = gatherRows(set, indices, from, to);
    const [loss, maxLp, pred] = tf.tidy((): [T.Tensor, T.Tensor, T.Tensor] => {
      const lp = logProbs(clf, tf.tensor(x, shapeOf(to - from)), false);
      const trueLp = tf.sum(tf.mul(lp, tf.oneHot(tf.tensor1d(y, 'int32'), lp.shape[1])), 1);
      return [tf.neg(trueLp), tf.max(lp, 1), tf.argMax(lp, 1)];
    });
    const [l, m, a] = await Promise.all([loss.data(), maxLp.data(), pred.data()]);
    tf.dispose([loss, maxLp, pred]);
    throwIfDeviceFailed(batchSize);
    out.loss.set(l, from);
    for (let i = 0; i < to - from; i++) {
      out.confidence[from + i] = Math.exp(m[i]);
      out.correct[from + i] = a[i] === y[i] ? 1 : 0;
    }
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/**
 * Held-out rows from Df's distribution: the whole test set for random forgetting; for class-wise
 * forgetting, the test images of the forgotten class (the rest of the test set is another
 * distribution: Retrain classifies those well and the forgotten class not at all).
 */
export function heldOutIndices(test: ImageSet, forgottenClass: number | undefined): Int32Array {
  if (forgottenClass === undefined) return allIndices(test.n);
  return allIndices(test.n).filter((i) => test.labels[i] === forgottenClass);
}
