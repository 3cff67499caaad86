// SalUn's objective for forgetting a class of a class-conditional diffusion model (Fan et al. 2024,
// generation; docs/method.md), RL-gen's too (the same loss, no mask):
//   L(θu) = mean ‖ε_θu(x_t | c) − sg(ε_θo(x_t | c′))‖²  +  β·D · mean ‖ε − ε_θu(x_t^r | c_r)‖²
// for (x, c) ∈ Df with its own t and ε, c′ ≠ c drawn uniformly among the real classes (never the
// null class; or (c + 1) mod K, otherClass 'next', as the authors' code), and a Dr batch (x^r, c_r) with its own t, ε and class dropout.
//
// Why θo's prediction, detached, is the target. The paper's formula has θu on both sides,
// ‖ε_θu(x_t|c′) − ε_θu(x_t|c)‖²; the authors' code (DDPM/runners/diffusion.py, saliency_unlearn,
// method "rl") detaches the c′ side but takes it from the model being trained, with one c′ =
// (forgotten + 1) mod 10 for every sample. A frozen θo gives a target that cannot drift while θu
// moves, and the forget term is then exactly 0 for a θo that ignores its class input.
// Why β·D, D = H·W·C: their forget term is torch's MSELoss (a mean over every element) while their
// retain term is L_simple summed over pixels and averaged over the batch (functions/losses.py).
// diffusionLoss averages over pixels too, so the retain mean is scaled by D to keep β = 1e-3 what it
// was there (for 28×28×1: 0.784 on the mean).
import { tf, type T } from '../tf';
import { diffusionLoss, drawDiffusion, noisyImages, type DiffusionBatch, type DiffusionDraw } from './loss';
import type { NoiseSchedule } from './schedule';
import type { OtherClassRule } from '../../protocol/generationConfig';
import { predictNoise, unetNumClasses, unetVariables } from './unet';
import type { UnlearnLossGradients } from './unlearnLoss';

export interface ForgetDraw extends DiffusionDraw {
  /** c′ per sample: a real class other than the sample's own. */
  other: Int32Array;
}

export interface RetainTerm {
  batch: DiffusionBatch;
  draw: DiffusionDraw;
  /** β; the term enters as β·D·mean (see above). */
  beta: number;
}

/**
 * c′ per sample: 'random', uniform over the K − 1 real classes other than c (the paper's formula);
 * 'next', (c + 1) mod K for every sample (the authors' code: one target class, so every step pushes
 * the forgotten class toward the same place). 'next' draws nothing from `rand`.
 */
export function drawOtherClasses(classes: ArrayLike<number>, numClasses: number, rand: () => number, rule: OtherClassRule = 'random'): Int32Array {
  if (numClasses < 2) throw new Error('another class needs at least two classes');
  if (rule === 'next') return Int32Array.from(classes, (c) => (c + 1) % numClasses);
  return Int32Array.from(classes, (c) => (c + 1 + Math.min(numClasses - 2, Math.floor(rand() * (numClasses - 1)))) % numClasses);
}

/** t, ε with the model conditioned on each image's own class (no dropout), and c′. */
export function drawForget(
  batch: DiffusionBatch,
  schedule: NoiseSchedule,
  numClasses: number,
  rand: () => number,
  rule: OtherClassRule = 'random',
): ForgetDraw {
  const draw = drawDiffusion(batch, schedule, numClasses, 0, rand);
  return { ...draw, other: drawOtherClasses(batch.classes, numClasses, rand, rule) };
}

/** The retain term's weight on diffusionLoss's per-element mean. */
export function retainWeight(retain: RetainTerm): number {
  const [, h, w, c] = retain.batch.shape;
  return retain.beta * h * w * c;
}

/** L and ∂L/∂θu in unetVariables(model) order; `frozen` (θo) only supplies targets. The caller disposes all. */
export function salunGenLossGradients(
  model: T.LayersModel,
  frozen: T.LayersModel,
  schedule: NoiseSchedule,
  forget: DiffusionBatch,
  draw: ForgetDraw,
  retain?: RetainTerm,
): UnlearnLossGradients {
  if (unetNumClasses(frozen) !== unetNumClasses(model)) throw new Error('the frozen model has another number of classes');
  const xt = tf.tensor4d(noisyImages(forget, draw, schedule), forget.shape);
  const target = tf.tidy(() => predictNoise(frozen, xt, draw.t, draw.other));
  const vars = unetVariables(model);
  let forgetTerm: T.Scalar | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      forgetTerm = tf.keep(tf.mean<T.Scalar>(tf.squaredDifference(predictNoise(model, xt, draw.t, draw.condition), target)));
      if (!retain) return tf.clone(forgetTerm);
      return tf.add<T.Scalar>(forgetTerm, tf.mul(diffusionLoss(model, schedule, retain.batch, retain.draw), retainWeight(retain)));
    }, vars);
    return { loss: value, grads: vars.map((v) => grads[v.name]), forget: forgetTerm as T.Scalar };
  } catch (e) {
    forgetTerm?.dispose();
    throw e;
  } finally {
    tf.dispose([xt, target]);
  }
}
