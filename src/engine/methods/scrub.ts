// SCRUB (Kurmanji et al., NeurIPS 2023, "Towards Unbounded Machine Unlearning"): a student that
// starts at θo moves away from a frozen teacher (θo itself) on the forget set and stays close to it
// on the retain set while fitting the labels:
//
//   max-step, forget batch:  loss = −KL_T(teacher ‖ student)
//   min-step, retain batch:  loss = alpha·KL_T(teacher ‖ student) + gamma·CE(student, y)
//   KL_T(t ‖ s) = T² · mean over the batch of Σ_c p_t,c·(log p_t,c − log p_s,c),  p = softmax(logits / T)
//
// Epoch e (1-based): one max pass over the forget set while e ≤ maxSteps, then one min pass over the
// retain set. One SGD optimizer, momentum and all, serves both passes.
//
// From the authors' code (github.com/meghdadk/SCRUB): the loop and the two losses are
// thirdparty/repdistiller/helper/loops.py `train_distill` ("maximize": −loss_div; "minimize":
// gamma·loss_cls + alpha·loss_div), the KL is helper/KD.py `DistillKL` (the T² and per-batch mean
// above), the defaults are large_scale_unlearning.ipynb's "SCRUB Forgetting" cell (the method row in
// protocol/methods.ts cites them). The teacher runs in inference mode and the student in training
// mode, as their model_t.eval() / model_s.train(): with batch norm the two differ from the first
// batch. At θu = θo the max-step's gradient is otherwise zero (KL is flat at its minimum), so
// without batch norm or dropout the first forget pass moves θu by weight decay alone and the max
// steps start to bite once a min pass has moved the student. Their forget and retain loaders have
// batches of 512 and 256; here both passes use the recipe's batch size.
//
// The gradients are this file's own loop (the KL needs the teacher's outputs), so data-parallel
// workers do not apply; the method row says so. A saliency mask goes to the optimizer, which keeps
// every non-salient weight at θo bit for bit.
import { checkBatchFits, throwIfDeviceFailed } from '../backend/deviceHealth';
import { gatherRows, type ImageSet } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import { classifierOf, cloneModel, type Classifier } from '../models/io';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { tf, type T } from '../tf';
import { scheduledLr } from '../train/fit';
import { trainableVariables } from '../train/loop';
import { Sgd } from '../train/sgd';
import type { UnlearnInput } from './input';

export interface ScrubOptions {
  /** Weight of KL_T(teacher ‖ student) in the min-steps. */
  alpha: number;
  /** Weight of the cross-entropy in the min-steps. */
  gamma: number;
  /** Epochs that begin with a max pass over the forget set. */
  maxSteps: number;
  /** T of the softened distributions. */
  temperature: number;
}

/** KL_T(teacher ‖ student) as above, from log-probabilities (rescaling by 1/T then renormalising is softmax(logits/T)). */
export function distillKl(teacherLogProbs: T.Tensor2D, studentLogProbs: T.Tensor2D, temperature: number): T.Scalar {
  return tf.tidy(() => {
    const lt = tf.logSoftmax(tf.div(teacherLogProbs, temperature));
    const ls = tf.logSoftmax(tf.div(studentLogProbs, temperature));
    const perSample = tf.sum(tf.mul(tf.exp(lt), tf.sub(lt, ls)), 1);
    return tf.mul<T.Scalar>(tf.mean(perSample), temperature * temperature);
  });
}

interface ScrubPass {
  student: Classifier;
  teacher: Classifier;
  vars: T.Variable[];
  optimizer: Sgd;
  set: ImageSet;
  rows: Int32Array;
  /** 'max' on the forget set, 'min' on the retain set. */
  step: 'max' | 'min';
  o: ScrubOptions;
  batchSize: number;
  rand: () => number;
  signal?: AbortSignal;
  onBatch: (samplesDone: number) => void;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One pass of max- or min-steps; returns the mean loss over its samples. */
async function scrubPass(p: ScrubPass): Promise<number> {
  const order = shuffleInPlace(Int32Array.from(p.rows), p.rand);
  const shapeOf = batchShapeFor(p.student, p.set);
  const names = p.vars.map((v) => v.name);
  let lossSum = 0;
  for (let from = 0; from < order.length; from += p.batchSize) {
    throwIfAborted(p.signal);
    const to = Math.min(order.length, from + p.batchSize);
    const { x, y } = gatherRows(p.set, order, from, to);
    const xb = tf.tensor(x, shapeOf(to - from));
    const teacherLp = tf.tidy(() => logProbs(p.teacher, xb, false));
    const r = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const studentLp = logProbs(p.student, xb, true);
          const kl = distillKl(teacherLp, studentLp, p.o.temperature);
          if (p.step === 'max') return tf.neg<T.Scalar>(kl);
          return tf.add<T.Scalar>(tf.mul(kl, p.o.alpha), tf.mul(crossEntropy(studentLp, tf.tensor1d(y, 'int32')), p.o.gamma));
        }),
      p.vars,
    );
    tf.dispose([xb, teacherLp]);
    const loss = (await r.value.data())[0];
    r.value.dispose();
    throwIfDeviceFailed(p.batchSize);
    const grads = names.map((n) => r.grads[n]);
    if (!Number.isFinite(loss)) {
      tf.dispose(grads);
      throw new UserError(
        `The SCRUB loss became ${loss} at sample ${from} of a ${p.step} pass.`,
        'The learning rate is probably too high for the max-steps: lower it, or use fewer max steps.',
      );
    }
    p.optimizer.step(grads);
    tf.dispose(grads);
    lossSum += loss * (to - from);
    p.onBatch(to);
    await yieldToLoop();
  }
  return lossSum / Math.max(1, order.length);
}

export async function scrub(u: UnlearnInput, o: ScrubOptions): Promise<void> {
  const teacher = classifierOf(await cloneModel(u.clf.model));
  const vars = trainableVariables(u.clf);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  const rand = makeRng(subSeed(u.seed, `unlearn-${u.method}`));
  checkBatchFits(u.clf.model, u.recipe.batchSize);
  const pass = (rows: Int32Array, step: 'max' | 'min', before: number, perEpoch: number, epoch: number): Promise<number> =>
    scrubPass({
      student: u.clf,
      teacher,
      vars,
      optimizer,
      set: u.train,
      rows,
      step,
      o,
      batchSize: u.recipe.batchSize,
      rand,
      signal: u.signal,
      onBatch: (done) => u.onBatch?.(epoch, before + done, perEpoch),
    });
  try {
    for (let epoch = 1; epoch <= u.recipe.epochs; epoch++) {
      optimizer.options = { ...optimizer.options, lr: scheduledLr(u.recipe, epoch) };
      const maxStep = epoch <= o.maxSteps && u.forget.length > 0;
      const forgetShare = maxStep ? u.forget.length : 0;
      if (maxStep) await pass(u.forget, 'max', 0, forgetShare + u.retain.length, epoch);
      // The min pass's loss is the epoch's: the max pass's −KL has the opposite sign and would cancel it.
      const minLoss = await pass(u.retain, 'min', forgetShare, forgetShare + u.retain.length, epoch);
      await u.onEpoch?.(epoch, minLoss);
      if (u.stop?.aborted) return;
    }
  } finally {
    optimizer.dispose();
    teacher.model.dispose();
  }
}
