// Forward passes shared by training, saliency and evaluation: a batch of rows in, log-probabilities out.
import { UserError } from '../../store/errors';
import type { ImageSet } from '../data/dataset';
import type { Classifier } from './io';
import { tf, type T } from '../tf';

/** The tensor shape a batch must take for this model: NHWC images, or flattened vectors. */
export function batchShapeFor(clf: Classifier, set: ImageSet, source = 'the model'): (n: number) => number[] {
  const inShape = clf.model.inputs[0].shape; // [null, ...]
  const rest = inShape.slice(1);
  const { height: h, width: w, channels: c } = set;
  const outUnits = clf.model.outputs[0].shape[clf.model.outputs[0].shape.length - 1];
  if (outUnits !== null && outUnits < set.numClasses) {
    throw new UserError(
      `${source} has ${outUnits} outputs but the data has ${set.numClasses} classes.`,
      'Use a classifier whose last layer has one unit per class.',
    );
  }
  if (rest.length === 3 && rest[0] === h && rest[1] === w && rest[2] === c) return (n) => [n, h, w, c];
  if (rest.length === 2 && rest[0] === h && rest[1] === w && c === 1) return (n) => [n, h, w];
  if (rest.length === 1 && rest[0] === h * w * c) return (n) => [n, h * w * c];
  throw new UserError(
    `${source} expects inputs of shape [${rest.join(', ')}] but the data is ${h}×${w}×${c}.`,
    'Choose a model trained on images of this size, or a data set that matches the model.',
  );
}

/** Log-probabilities; models with a softmax head get log(p) (clipped), logit models log-softmax. */
export function logProbs(clf: Classifier, x: T.Tensor, training: boolean): T.Tensor2D {
  const out = clf.model.apply(x, { training }) as T.Tensor;
  return (clf.outputsProbabilities ? tf.log(tf.clipByValue(out, 1e-7, 1)) : tf.logSoftmax(out)) as T.Tensor2D;
}

/** Mean cross-entropy of log-probabilities against integer labels. */
export function crossEntropy(lp: T.Tensor2D, labels: T.Tensor1D): T.Scalar {
  const oneHot = tf.oneHot(labels, lp.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, lp), 1))) as T.Scalar;
}
