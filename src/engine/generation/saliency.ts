// Weight saliency for generation (SalUn, Fan et al. 2024, §4 on DDPM): per weight,
//   s = Σ_batches |∇θ L_simple(θo; Df batch)|
// with L_simple the noise-prediction loss conditioned on each image's own class (no class dropout:
// the mask is about what the model does when asked for the forgotten class), then the same global
// top-ratio mask as for classifiers (SaliencyIndex/buildMask, not a copy).
//
// Why Σ|g_b| and not the classifiers' |Σ g_b| (saliency/scores.ts): the authors' DDPM generate_mask
// (DDPM/runners/diffusion.py) adds each batch's |grad|. Every batch has fresh t and ε, so signed
// per-batch gradients partly cancel and |Σ g| would rank weights by that noise as much as by Df.
// Their loop also calls optimizer.step() between batches (θ drifts while the mask is computed) and
// uses the guided prediction; we stay at θo with the plain conditional loss, so the mask is a
// function of θo and Df alone, as for classifiers.
// t and ε come from a generator seeded by `seed`, so one seed gives one mask on every backend.
import type { ImageSet } from '../data/dataset';
import { makeRng } from '../rng';
import { throwIfAborted, UserError } from '../../store/errors';
import { buildMask, SaliencyIndex, type SaliencyScores } from '../../store/saliency/mask';
import { tf, type T } from '../tf';
import { diffusionLossGradients, drawDiffusion } from './loss';
import type { NoiseSchedule } from './schedule';
import { diffusionBatch } from './train';
import { unetNumClasses, unetVariables } from './unet';

export interface GenerationSaliencyOptions {
  schedule: NoiseSchedule;
  batchSize: number;
  /** Seeds the draws of t and ε. */
  seed: number;
  signal?: AbortSignal;
  onBatch?: (done: number, total: number) => void;
}

/** s = Σ_b |∇θ L(θo; Df_b)| per trainable weight of the U-Net, in unetVariables order. */
export async function computeGenerationSaliency(
  model: T.LayersModel,
  set: ImageSet,
  forget: ArrayLike<number>,
  o: GenerationSaliencyOptions,
): Promise<SaliencyScores> {
  if (forget.length === 0)
    throw new UserError('The forget set is empty: there is nothing to compute saliency for.', 'Choose a class that has images in the training data.');
  const vars = unetVariables(model);
  const numClasses = unetNumClasses(model);
  const rand = makeRng(o.seed);
  const sums = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  try {
    for (let from = 0; from < forget.length; from += o.batchSize) {
      throwIfAborted(o.signal);
      const to = Math.min(forget.length, from + o.batchSize);
      const batch = diffusionBatch(set, forget, from, to);
      const { loss, grads } = diffusionLossGradients(model, o.schedule, batch, drawDiffusion(batch, o.schedule, numClasses, 0, rand));
      tf.tidy(() => sums.forEach((s, i) => s.assign(tf.add(s, tf.abs(grads[i])))));
      tf.dispose([loss, ...grads]);
      o.onBatch?.(to, forget.length);
      await new Promise((r) => setImmediate(r));
    }
    return { names: vars.map((v) => v.name), shapes: vars.map((v) => v.shape.slice()), scores: await finiteScores(sums, vars) };
  } finally {
    sums.forEach((s) => s.dispose());
  }
}

async function finiteScores(sums: T.Variable[], vars: T.Variable[]): Promise<Float32Array[]> {
  const scores = await Promise.all(sums.map(async (s) => (await s.data()) as Float32Array));
  scores.forEach((sc, i) => {
    if (sc.some((v) => !Number.isFinite(v)))
      throw new UserError(
        `The saliency of ${vars[i].name} is not finite.`,
        'The diffusion model gives NaN or infinite gradients on the forget set; check the model file.',
      );
  });
  return scores;
}

/** The global top-`ratio` mask (⌊ratio·total⌋ weights), one 0/1 array per variable: the classifiers' rule. */
export function generationMask(scores: SaliencyScores, ratio: number): Uint8Array[] {
  const index = new SaliencyIndex(scores);
  return buildMask(index, index.summaryForRatio(ratio));
}
