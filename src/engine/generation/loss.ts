// The DDPM noise-prediction loss with classifier-free guidance's class dropout (Ho et al. 2020,
// eq. 14, "L_simple"; Ho & Salimans 2022, Alg. 1):
//   t ~ U{1..T}, ε ~ N(0, I), c' = ∅ with probability p_uncond else c,
//   L = mean ‖ε − εθ(√ᾱ_t·x_0 + √(1−ᾱ_t)·ε, t, c')‖².
// The random part (t, ε, c') is drawn separately from the loss (drawDiffusion), in JavaScript from a
// seeded generator: saliency, ESD and SalUn-gen can then evaluate θ and θo on the very same draw.
import { tf, type T } from '../tf';
import { gaussian } from './noise';
import type { NoiseSchedule } from './schedule';
import { predictNoise, unetVariables } from './unet';

export interface DiffusionBatch {
  /** x_0, NHWC, scaled to [−1, 1]. */
  x0: Float32Array;
  /** The true class of each image, 0..K−1. */
  classes: Int32Array;
  shape: [number, number, number, number];
}

export interface DiffusionDraw {
  /** t per sample, 1..T. */
  t: Int32Array;
  /** ε, same layout as x_0. */
  noise: Float32Array;
  /** The class the model is conditioned on: the true class, or K (null) after class dropout. */
  condition: Int32Array;
}

export const DEFAULT_P_UNCOND = 0.1;

export function drawDiffusion(batch: DiffusionBatch, schedule: NoiseSchedule, numClasses: number, pUncond: number, rand: () => number): DiffusionDraw {
  const n = batch.shape[0];
  const t = new Int32Array(n);
  const condition = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = 1 + Math.min(schedule.steps - 1, Math.floor(rand() * schedule.steps));
    condition[i] = rand() < pUncond ? numClasses : batch.classes[i];
  }
  return { t, noise: gaussian(batch.x0.length, rand), condition };
}

/** x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε per sample, computed in float64 and stored as float32. */
export function noisyImages(batch: DiffusionBatch, draw: DiffusionDraw, schedule: NoiseSchedule): Float32Array {
  const n = batch.shape[0];
  const per = batch.x0.length / n;
  const out = new Float32Array(batch.x0.length);
  for (let i = 0; i < n; i++) {
    const a = Math.sqrt(schedule.alphaBar[draw.t[i]]);
    const b = Math.sqrt(1 - schedule.alphaBar[draw.t[i]]);
    for (let j = i * per; j < (i + 1) * per; j++) out[j] = a * batch.x0[j] + b * draw.noise[j];
  }
  return out;
}

/** L for one batch and draw; call inside a tidy or gradient scope. */
export function diffusionLoss(model: T.LayersModel, schedule: NoiseSchedule, batch: DiffusionBatch, draw: DiffusionDraw): T.Scalar {
  return tf.tidy(() => {
    const xt = tf.tensor4d(noisyImages(batch, draw, schedule), batch.shape);
    const eps = predictNoise(model, xt, draw.t, draw.condition);
    return tf.mean<T.Scalar>(tf.squaredDifference(eps, tf.tensor4d(draw.noise, batch.shape)));
  });
}

export interface LossGradients {
  loss: T.Scalar;
  /** ∂L/∂θ, one tensor per variable of unetVariables(model), same order and shapes. */
  grads: T.Tensor[];
}

/**
 * The diffusion loss and its gradient for every trainable variable — what SalUn's saliency for
 * generation sums over Df (|Σ ∇|) and what training steps apply. The caller disposes both.
 */
export function diffusionLossGradients(model: T.LayersModel, schedule: NoiseSchedule, batch: DiffusionBatch, draw: DiffusionDraw): LossGradients {
  const vars = unetVariables(model);
  const { value, grads } = tf.variableGrads(() => diffusionLoss(model, schedule, batch, draw), vars);
  return { loss: value, grads: vars.map((v) => grads[v.name]) };
}
