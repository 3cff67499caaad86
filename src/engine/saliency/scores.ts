// Weight saliency (SalUn, Fan et al. 2024, eq. 3): g = |Σ_batches ∇θ ℓf(θo; Df)| for every trainable
// weight, with the model in inference mode (batch-norm uses its running statistics), as the
// authors' generate_mask.py does. The sum is over per-batch MEAN losses, as theirs is.
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { trainableVariables } from '../train/loop';
import type { SaliencyScores } from '../../store/saliency/mask';
import { tf } from '../tf';

export async function computeSaliencyScores(
  clf: Classifier,
  set: ImageSet,
  forget: ArrayLike<number>,
  batchSize: number,
  signal?: AbortSignal,
  onBatch?: (done: number, total: number) => void,
): Promise<SaliencyScores> {
  if (forget.length === 0)
    throw new UserError(
      'The forget set is empty: there is nothing to compute saliency for.',
      'Choose a forget fraction above 0, a class that has samples, or a non-empty index file.',
    );
  const vars = trainableVariables(clf);
  const shapeOf = batchShapeFor(clf, set);
  const sums = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  try {
    for (let from = 0; from < forget.length; from += batchSize) {
      throwIfAborted(signal);
      const to = Math.min(forget.length, from + batchSize);
      const { x, y } = gatherRows(set, forget, from, to);
      const { value, grads } = tf.variableGrads(
        () => tf.tidy(() => crossEntropy(logProbs(clf, tf.tensor(x, shapeOf(to - from)), false), tf.tensor1d(y, 'int32'))),
        vars,
      );
      tf.tidy(() => vars.forEach((v, i) => sums[i].assign(tf.add(sums[i], grads[v.name]))));
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      onBatch?.(to, forget.length);
      await new Promise((r) => setImmediate(r));
    }
    const scores: Float32Array[] = [];
    for (const s of sums) {
      const abs = tf.abs(s);
      scores.push((await abs.data()) as Float32Array);
      abs.dispose();
    }
    for (const [i, sc] of scores.entries()) {
      if (sc.some((v) => !Number.isFinite(v)))
        throw new UserError(
          `The saliency of ${vars[i].name} is not finite.`,
          'The model produces NaN or infinite gradients on the forget set; check the model file.',
        );
    }
    return { names: vars.map((v) => v.name), shapes: vars.map((v) => v.shape.slice()), scores };
  } finally {
    sums.forEach((s) => s.dispose());
  }
}
