// Per-weight importances from mini-batch gradients, the quantity SSD, LFSSD and SFR-on's mask are
// built from: I = (1 / number of batches) · Σ_batches h(∇θ L_b), L_b the batch's mean loss, with the
// model in inference mode (batch norm on its running statistics) and the rows in their given order.
// The authors' calc_importance (selective-synaptic-dampening, src/ssd.py) and SFR-on's
// get_weight_saliency_mask (Unified-Unlearning-w-Remain-Geometry, unlearn/sfron.py) both take the
// gradient of the batch mean, not per-sample gradients, so the figure depends on the batch size:
// the callers pass the run's.
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';

export interface ImportanceKind {
  /**
   * 'ce': the cross-entropy against the labels (SSD, SFR-on). 'output-norm': the batch mean of the
   * squared L2 norm of the model's raw outputs, which needs no labels (LFSSD).
   */
  loss: 'ce' | 'output-norm';
  /** h: the square of each gradient entry (a diagonal Fisher) or its absolute value (LFSSD). */
  accumulate: 'square' | 'abs';
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

function batchLoss(clf: Classifier, x: T.Tensor, y: Int32Array, loss: ImportanceKind['loss']): T.Scalar {
  if (loss === 'ce') return crossEntropy(logProbs(clf, x, false), tf.tensor1d(y, 'int32'));
  const out = clf.model.apply(x, { training: false }) as T.Tensor2D;
  return tf.mean(tf.sum(tf.square(out), 1));
}

/** The importance of every trainable weight over `rows`, one tensor per variable (the caller disposes them). */
export async function batchImportances(
  clf: Classifier,
  vars: readonly T.Variable[],
  set: ImageSet,
  rows: Int32Array,
  o: ImportanceKind & { batchSize: number; signal?: AbortSignal; onBatch?: (done: number) => void },
): Promise<T.Tensor[]> {
  if (rows.length === 0) throw new UserError('There are no rows to measure weight importances on.', 'Choose a forget set with at least one sample.');
  const shapeOf = batchShapeFor(clf, set);
  const sums = vars.map((v) => tf.variable(tf.zerosLike(v), false));
  let batches = 0;
  try {
    for (let from = 0; from < rows.length; from += o.batchSize) {
      throwIfAborted(o.signal);
      const to = Math.min(rows.length, from + o.batchSize);
      const { x, y } = gatherRows(set, rows, from, to);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => batchLoss(clf, tf.tensor(x, shapeOf(to - from)), y, o.loss)), [...vars]);
      tf.tidy(() =>
        vars.forEach((v, i) => {
          const g = grads[v.name];
          sums[i].assign(tf.add(sums[i], o.accumulate === 'square' ? tf.square(g) : tf.abs(g)));
        }),
      );
      tf.dispose([value, ...Object.values(grads)]);
      batches++;
      o.onBatch?.(to);
      await yieldToLoop();
    }
    const out = sums.map((s) => tf.div(s, batches));
    for (const [i, t] of out.entries()) {
      const ok = tf.tidy(() => tf.all(tf.isFinite(t)));
      const finite = (await ok.data())[0] === 1;
      ok.dispose();
      if (!finite) {
        tf.dispose(out);
        throw new UserError(
          `The importance of ${vars[i].name} is not finite.`,
          'The model produces NaN or infinite gradients on these rows; check the model file.',
        );
      }
    }
    return out;
  } finally {
    tf.dispose(sums);
  }
}

/** The importance loss's mean over `rows` (batch means weighted by batch size), in inference mode: what a one-shot method reports as its epoch's loss. */
export async function meanImportanceLoss(clf: Classifier, set: ImageSet, rows: Int32Array, loss: ImportanceKind['loss'], batchSize: number): Promise<number> {
  const shapeOf = batchShapeFor(clf, set);
  let sum = 0;
  for (let from = 0; from < rows.length; from += batchSize) {
    const to = Math.min(rows.length, from + batchSize);
    const { x, y } = gatherRows(set, rows, from, to);
    const l = tf.tidy(() => batchLoss(clf, tf.tensor(x, shapeOf(to - from)), y, loss));
    sum += (await l.data())[0] * (to - from);
    l.dispose();
    await yieldToLoop();
  }
  return rows.length ? sum / rows.length : 0;
}
