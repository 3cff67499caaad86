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

/** Accuracy in percent from per-sample correct flags (0 for no rows). */
export function accuracyPercent(correct: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < correct.length; i++) hits += correct[i];
  return (100 * hits) / Math.max(1, correct.length);
}

/** Rows a model never saw, from Df's distribution, and where they come from (for the reports). */
export interface UnseenReference {
  set: ImageSet;
  indices: Int32Array;
  source: string;
  /** Df is a whole class (class-wise forgetting): the verdict's accuracy reference is then 0 (verdict.ts). */
  wholeClass: boolean;
}

/**
 * The unseen reference the verdict and the automatic recipes compare Df with: the rows held out of
 * the training data (data.heldOut) when the run has them, else the test set. For class-wise
 * forgetting only the forgotten class's rows of it (the other classes are another distribution:
 * Retrain classifies those well and the forgotten class not at all).
 */
export function unseenReference(test: ImageSet, heldOut: ImageSet | undefined, forgottenClass: number | undefined): UnseenReference {
  const set = heldOut ?? test;
  const what = heldOut ? `the ${heldOut.n} rows held out of the training data` : 'the test set';
  if (forgottenClass === undefined) return { set, indices: allIndices(set.n), source: what, wholeClass: false };
  return {
    set,
    indices: allIndices(set.n).filter((i) => set.labels[i] === forgottenClass),
    source: `class ${forgottenClass}'s rows of ${what}`,
    wholeClass: true,
  };
}
