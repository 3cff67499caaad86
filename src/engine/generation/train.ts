// One diffusion training step, and batches from an ImageSet in the model's data scale. Optimizers
// are anything with step(grads) in unetVariables order: train/sgd.ts's Sgd or ./adam.ts's Adam,
// either with a saliency mask.
import { gatherRows, type ImageSet } from '../data/dataset';
import { UserError } from '../../store/errors';
import { tf, type T } from '../tf';
import { diffusionLossGradients, type DiffusionBatch, type DiffusionDraw } from './loss';
import type { NoiseSchedule } from './schedule';

export interface GradientStepper {
  step(grads: T.Tensor[]): void;
}

/** Rows of `set` as x_0 in [−1, 1] (ImageSet holds [0, 1]; DDPM's data scale is [−1, 1]). */
export function diffusionBatch(set: ImageSet, indices: ArrayLike<number>, from = 0, to = indices.length): DiffusionBatch {
  const { x, y } = gatherRows(set, indices, from, to);
  for (let i = 0; i < x.length; i++) x[i] = 2 * x[i] - 1;
  return { x0: x, classes: y, shape: [to - from, set.height, set.width, set.channels] };
}

/** Images in [−1, 1] back to [0, 1] for classifiers, grids and PNGs (clipped). */
export function toUnitRange(x: Float32Array): Float32Array {
  return x.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}

/** Computes the loss and gradients on one draw and applies them; resolves with the loss. */
export async function diffusionTrainStep(
  model: T.LayersModel,
  optimizer: GradientStepper,
  schedule: NoiseSchedule,
  batch: DiffusionBatch,
  draw: DiffusionDraw,
): Promise<number> {
  const { loss, grads } = diffusionLossGradients(model, schedule, batch, draw);
  try {
    const value = (await loss.data())[0];
    if (!Number.isFinite(value)) {
      throw new UserError(
        `The diffusion loss became ${value}.`,
        'The learning rate is probably too high for this model: lower it (e.g. halve it) and run again.',
      );
    }
    optimizer.step(grads);
    return value;
  } finally {
    tf.dispose([loss, ...grads]);
  }
}
