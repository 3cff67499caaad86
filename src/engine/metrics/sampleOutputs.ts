// The tensor half of the Retrain-free verdict (verdict.ts holds the statistics): a model's
// per-sample correctness, true-label loss and largest softmax probability on a set of rows. The
// loss is taken from the log-softmax, not as −log of a float32 probability, which underflows to 0
// (loss ∞) for a confidently wrong sample. Batched through evaluate.ts's forEachLogProbBatch (one tidy
// per batch: the wasm heap).
import { allIndices, type ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import { tf } from '../tf';
import { forEachLogProbBatch } from './evaluate';
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
  await forEachLogProbBatch(
    clf,
    set,
    indices,
    (lp, labels) => [tf.neg(tf.sum(tf.mul(lp, tf.oneHot(labels, lp.shape[1])), 1)), tf.max(lp, 1), tf.argMax(lp, 1)],
    ([l, m, a], from, y) => {
      out.loss.set(l, from);
      for (let i = 0; i < y.length; i++) {
        out.confidence[from + i] = Math.exp(m[i]);
        out.correct[from + i] = a[i] === y[i] ? 1 : 0;
      }
    },
    signal,
    batchSize,
  );
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
