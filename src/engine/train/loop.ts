// One pass over a list of rows: batches, gradients, optimizer step, progress, cancel.
import { checkBatchFits, throwIfDeviceFailed } from '../backend/deviceHealth';
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { shuffleInPlace } from '../rng';
import { tf, type T } from '../tf';
import type { TrainingPool } from './parallel';
import type { Sgd } from './sgd';

export type LossKind =
  /** Cross-entropy against the true labels (training, Retrain, FT, the retain half of SalUn). */
  | 'ce'
  /** Cross-entropy against a random label y' ≠ y, fresh for every sample and pass (SalUn, RL). */
  | 'random-label-ce'
  /** Minus the cross-entropy: gradient ascent on the forget set (GA). */
  | 'neg-ce';

export interface PassOptions {
  clf: Classifier;
  vars: T.Variable[];
  optimizer: Sgd;
  set: ImageSet;
  indices: ArrayLike<number>;
  batchSize: number;
  loss: LossKind;
  rand: () => number;
  shuffle: boolean;
  signal?: AbortSignal;
  /** Called after each batch with the number of samples done in this pass. */
  onBatch?: (samplesDone: number, loss: number) => void;
  /**
   * Data-parallel worker threads (parallel.ts): each batch's gradient is computed in shards there,
   * the optimizer still steps here. Absent, or a pool of one worker: every gradient on this thread.
   */
  pool?: TrainingPool;
}

export interface PassResult {
  meanLoss: number;
  samples: number;
}

function randomOtherLabels(y: Int32Array, numClasses: number, rand: () => number): Int32Array {
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    // Uniform over the C−1 wrong classes: draw from C−1 and skip over the true one.
    const r = Math.floor(rand() * (numClasses - 1));
    out[i] = r >= y[i] ? r + 1 : r;
  }
  return out;
}

/** Yields to the event loop so that IPC messages (cancel) are seen between batches. */
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One batch of a pass: its inputs, labels and the loss's sign. */
export interface GradientBatch {
  clf: Classifier;
  vars: T.Variable[];
  x: Float32Array;
  labels: Int32Array;
  /** The batch's tensor shape (batchShapeFor). */
  shape: number[];
  /** Minus the cross-entropy (gradient ascent). */
  negate: boolean;
  /** Worker threads that compute the gradient in shards; absent: this thread. */
  pool?: TrainingPool;
  /** The pass's batch size, for the device's out-of-memory check. */
  batchSize: number;
}

/**
 * The mean cross-entropy of one batch (training mode) and its gradient per variable, in `vars`'
 * order; the caller steps the optimizer and disposes the gradients.
 */
export async function batchGradients(b: GradientBatch): Promise<{ loss: number; grads: T.Tensor[] }> {
  if (b.pool) return b.pool.gradients(b.clf, b.vars, { x: b.x, labels: b.labels, rowShape: b.shape.slice(1), negate: b.negate });
  const r = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const ce = crossEntropy(logProbs(b.clf, tf.tensor(b.x, b.shape), true), tf.tensor1d(b.labels, 'int32'));
        return b.negate ? tf.neg<T.Scalar>(ce) : ce;
      }),
    b.vars,
  );
  const loss = (await r.value.data())[0];
  r.value.dispose();
  throwIfDeviceFailed(b.batchSize);
  return { loss, grads: b.vars.map((v) => r.grads[v.name]) };
}

export async function trainPass(o: PassOptions): Promise<PassResult> {
  const order = Int32Array.from(o.indices);
  if (o.shuffle) shuffleInPlace(order, o.rand);
  const shapeOf = batchShapeFor(o.clf, o.set);
  const pool = o.pool && (await o.pool.usable()) ? o.pool : undefined;
  checkBatchFits(o.clf.model, o.batchSize);
  let lossSum = 0;
  let done = 0;
  for (let from = 0; from < order.length; from += o.batchSize) {
    throwIfAborted(o.signal);
    const to = Math.min(order.length, from + o.batchSize);
    const { x, y } = gatherRows(o.set, order, from, to);
    const labels = o.loss === 'random-label-ce' ? randomOtherLabels(y, o.set.numClasses, o.rand) : y;
    const n = to - from;
    const { loss: lossValue, grads } = await batchGradients({
      clf: o.clf,
      vars: o.vars,
      x,
      labels,
      shape: shapeOf(n),
      negate: o.loss === 'neg-ce',
      pool,
      batchSize: o.batchSize,
    });
    if (!Number.isFinite(lossValue)) {
      tf.dispose(grads);
      throw new UserError(
        `The loss became ${lossValue} at sample ${from} of this pass.`,
        'The learning rate is probably too high for this model: lower it (e.g. halve it) and run again.',
      );
    }
    o.optimizer.step(grads);
    tf.dispose(grads);
    lossSum += lossValue * n;
    done = to;
    o.onBatch?.(done, lossValue);
    await yieldToLoop();
  }
  return { meanLoss: done ? lossSum / done : 0, samples: done };
}

export function trainableVariables(clf: Classifier): T.Variable[] {
  return clf.model.trainableWeights.map((w) => w.read() as T.Variable);
}
