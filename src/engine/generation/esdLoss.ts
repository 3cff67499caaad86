// ESD, Erased Stable Diffusion (Gandikota et al. 2023), adapted to class conditioning: the model's
// prediction for the erased class c is trained toward the frozen θo's unconditional prediction moved
// AWAY from c by η times the guidance direction,
//   ε_θu(x_t | c)  →  ε*(x_t | ∅) − η·(ε*(x_t | c) − ε*(x_t | ∅)),      ε* = ε_θo,
// with the per-element mean squared error (torch's MSELoss in both ESD's and SalUn's train_esd).
// x_t: ESD proper samples x_t with the model itself from noise to a random DDIM step; we noise Df's
// images at a random t instead — the same x_t SalUn-gen sees, and no sampler run per iteration.
import { tf, type T } from '../tf';
import { noisyImages, type DiffusionBatch, type DiffusionDraw } from './loss';
import type { NoiseSchedule } from './schedule';
import { predictNoise, unetNumClasses, unetVariables } from './unet';
import type { UnlearnLossGradients } from './unlearnLoss';

/** ε*(x|∅) − η·(ε*(x|c) − ε*(x|∅)) from `frozen`, both halves in one batch; not differentiated. */
export function esdTarget(frozen: T.LayersModel, xt: T.Tensor4D, t: ArrayLike<number>, classes: ArrayLike<number>, eta: number): T.Tensor4D {
  return tf.tidy(() => {
    const n = classes.length;
    const both = new Int32Array(2 * n).fill(unetNumClasses(frozen));
    both.set(Array.from(classes));
    const tt = new Float32Array(2 * n);
    tt.set(Array.from(t));
    tt.set(Array.from(t), n);
    const [cond, uncond] = tf.split(predictNoise(frozen, tf.concat([xt, xt], 0), tt, both), 2, 0);
    return tf.sub<T.Tensor4D>(uncond, tf.mul(tf.sub(cond, uncond), eta));
  });
}

/** L = mean (ε_θu(x_t|c) − target)² and ∂L/∂θu in unetVariables(model) order; the caller disposes all. */
export function esdLossGradients(
  model: T.LayersModel,
  frozen: T.LayersModel,
  schedule: NoiseSchedule,
  forget: DiffusionBatch,
  draw: DiffusionDraw,
  eta: number,
): UnlearnLossGradients {
  if (unetNumClasses(frozen) !== unetNumClasses(model)) throw new Error('the frozen model has another number of classes');
  const xt = tf.tensor4d(noisyImages(forget, draw, schedule), forget.shape);
  const target = esdTarget(frozen, xt, draw.t, draw.condition, eta);
  const vars = unetVariables(model);
  try {
    const { value, grads } = tf.variableGrads(() => tf.mean<T.Scalar>(tf.squaredDifference(predictNoise(model, xt, draw.t, draw.condition), target)), vars);
    return { loss: value, grads: vars.map((v) => grads[v.name]), forget: tf.clone(value) };
  } finally {
    tf.dispose([xt, target]);
  }
}
