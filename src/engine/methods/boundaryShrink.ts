// Boundary shrink (Chen et al., CVPR 2023): a one-step FGSM on the frozen θo moves each forget
// sample just across its nearest decision boundary; the class found there is its "nearest wrong
// class", and θu is fine-tuned on Df toward those labels, shrinking the forgotten data's region.
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { Sgd } from '../train/sgd';
import { relabelled, runEpochs } from './epochs';
import type { UnlearnInput } from './input';

/**
 * For each row: x' = round₂₅₅(clip(x + ε·sign(∇ₓ CE(θ; x, y)), 0, 1)) (the authors' FGSM, bound 0.1,
 * re-quantised to 8-bit pixels), and the target is argmax θ(x'). Where the attack fails (still y),
 * the target is the second most likely class at x', so it is never the true label (the authors
 * keep y there, which makes those rows plain fine-tuning). θ is evaluated in inference mode and
 * not changed: computing every target before the first step is the same as using a frozen copy.
 */
export async function nearestWrongClasses(
  clf: Classifier,
  set: ImageSet,
  rows: Int32Array,
  epsilon: number,
  batchSize: number,
  signal?: AbortSignal,
): Promise<Int32Array> {
  const shapeOf = batchShapeFor(clf, set);
  const out = new Int32Array(rows.length);
  for (let from = 0; from < rows.length; from += batchSize) {
    throwIfAborted(signal);
    const to = Math.min(rows.length, from + batchSize);
    const { x, y } = gatherRows(set, rows, from, to);
    const top2 = tf.tidy(() => {
      const xb = tf.tensor(x, shapeOf(to - from));
      const labels = tf.tensor1d(y, 'int32');
      const gx = tf.grad((xi: T.Tensor) => crossEntropy(logProbs(clf, xi, false), labels))(xb);
      const xAdv = tf.div(tf.round(tf.mul(tf.clipByValue(tf.add(xb, tf.mul(tf.sign(gx), epsilon)), 0, 1), 255)), 255);
      return tf.topk(logProbs(clf, xAdv, false), 2).indices;
    });
    const idx = await top2.data();
    top2.dispose();
    for (let i = 0; i < to - from; i++) out[from + i] = idx[2 * i] === y[i] ? idx[2 * i + 1] : idx[2 * i];
  }
  return out;
}

export async function boundaryShrink(u: UnlearnInput, o: { epsilon: number }): Promise<void> {
  const targets = await nearestWrongClasses(u.clf, u.train, u.forget, o.epsilon, u.recipe.batchSize, u.signal);
  const vars = trainableVariables(u.clf);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  try {
    await runEpochs(u, { clf: u.clf, vars, optimizer, train: relabelled(u.train, u.forget, targets), passes: [{ set: 'forget', loss: 'ce' }] });
  } finally {
    optimizer.dispose();
  }
}
