// Which noise each generated image starts from. A sample is a (class, column) cell; its seed comes
// from the run's seed and the column alone, so every class in a column — and every model sampled
// with the same seed (θo, the unlearned model, Retrain) — starts from the same x_T and, with DDIM's
// η = 0, follows the same deterministic path: differences in a grid column are the model's and the
// class's, not the noise's. ddim.ts draws a sample's x_T first from makeRng(seed), so
// initialNoise(seed) is exactly the sampler's starting point.
import { makeRng, subSeed } from '../rng';
import { gaussian } from './noise';

/** The seed of grid column `column` (0-based) for a run seed. */
export function columnSeed(seed: number, column: number): number {
  return subSeed(seed, `generation sample ${column}`);
}

export interface SampleLayout {
  /** The class of each sample, class-major: `perClass` samples of classes[0], then of classes[1], … */
  classes: Int32Array;
  /** The seed of each sample, the same down a column. */
  seeds: Uint32Array;
}

export function sampleLayout(seed: number, classes: readonly number[], perClass: number): SampleLayout {
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`samples per class must be a positive integer, got ${perClass}`);
  const columns = Array.from({ length: perClass }, (_, j) => columnSeed(seed, j));
  const out: SampleLayout = { classes: new Int32Array(classes.length * perClass), seeds: new Uint32Array(classes.length * perClass) };
  classes.forEach((c, r) => {
    out.classes.fill(c, r * perClass, (r + 1) * perClass);
    out.seeds.set(columns, r * perClass);
  });
  return out;
}

/** x_T of the sample with this seed, NHWC for one image of `imageShape` [H, W, C]. */
export function initialNoise(seed: number, imageShape: readonly [number, number, number]): Float32Array {
  return gaussian(imageShape[0] * imageShape[1] * imageShape[2], makeRng(seed));
}
