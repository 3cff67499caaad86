// DDIM sampling (Song et al. 2021, eq. 12) with classifier-free guidance (Ho & Salimans 2022):
// on the sub-sequence 0 = τ_0 < τ_1 < … < τ_S = T, from x_T ~ N(0, I), for i = S..1 with a = ᾱ_τi,
// a' = ᾱ_τ(i−1):
//   ε̃  = (1 + w)·εθ(x, c) − w·εθ(x, ∅)
//   x̂0 = (x − √(1−a)·ε̃) / √a
//   σ  = η · √((1−a')/(1−a)) · √(1 − a/a')
//   x  ← √a'·x̂0 + √(1 − a' − σ²)·ε̃ + σ·z
// η = 0 is deterministic DDIM; η = 1 with S = T is DDPM's ancestral sampler (σ² = β̃_t). The last
// step lands on ᾱ_0 = 1, i.e. returns x̂0. Each sample's noise (x_T and every z) comes from its own
// seed, so a grid column keeps its seed across classes, models and runs.
import { throwIfAborted } from '../../store/errors';
import { makeRng } from '../rng';
import { tf, type T } from '../tf';
import { gaussian } from './noise';
import type { NoiseSchedule } from './schedule';
import { predictNoise } from './unet';

/** ε for a batch at one timestep; `classes[i]` may be the null class. */
export type NoisePredictor = (x: T.Tensor4D, t: number, classes: Int32Array) => T.Tensor4D;

export function unetPredictor(model: T.LayersModel): NoisePredictor {
  return (x, t, classes) => predictNoise(model, x, new Float32Array(classes.length).fill(t), classes);
}

/** ε̃ = (1 + w)·ε(x, c) − w·ε(x, ∅), the conditional and unconditional halves in one batch. */
export function guidedNoise(predict: NoisePredictor, x: T.Tensor4D, t: number, classes: Int32Array, nullClass: number, guidance: number): T.Tensor4D {
  if (guidance === 0) return predict(x, t, classes);
  return tf.tidy(() => {
    const n = classes.length;
    const both = new Int32Array(2 * n).fill(nullClass);
    both.set(classes);
    const [cond, uncond] = tf.split(predict(tf.concat([x, x], 0), t, both), 2, 0);
    return tf.sub<T.Tensor4D>(tf.mul(cond, 1 + guidance), tf.mul(uncond, guidance));
  });
}

/** τ_0..τ_S: 0, then S timesteps spread evenly over 1..T, ending at T. */
export function ddimTimesteps(totalSteps: number, steps: number): Int32Array {
  if (!Number.isInteger(steps) || steps < 1 || steps > totalSteps) throw new Error(`DDIM steps must be 1..${totalSteps}, got ${steps}`);
  return Int32Array.from({ length: steps + 1 }, (_, i) => Math.round((i * totalSteps) / steps));
}

export interface DdimOptions {
  schedule: NoiseSchedule;
  /** S, the number of denoising steps (20–50 is usual; T with η = 1 is DDPM). */
  steps: number;
  /** The class of each sample; the null class gives unconditional samples. */
  classes: Int32Array;
  nullClass: number;
  /** One seed per sample. */
  seeds: ArrayLike<number>;
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
  /** Guidance scale w (0: the conditional model alone). */
  guidance?: number;
  /** 0: deterministic DDIM. */
  eta?: number;
  /** Clip x̂0 to the data range each step (and re-derive ε̃ from it), as DDPM's sampler does. */
  clip?: [number, number];
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
}

interface StepScalars {
  a: number;
  ap: number;
  sigma: number;
}

function stepScalars(o: DdimOptions, taus: Int32Array, i: number): StepScalars {
  const a = o.schedule.alphaBar[taus[i]];
  const ap = o.schedule.alphaBar[taus[i - 1]];
  const sigma = (o.eta ?? 0) * Math.sqrt(((1 - ap) / (1 - a)) * (1 - a / ap));
  return { a, ap, sigma };
}

function denoiseStep(predict: NoisePredictor, o: DdimOptions, x: T.Tensor4D, t: number, s: StepScalars, z: Float32Array | null): T.Tensor4D {
  return tf.tidy(() => {
    let eps: T.Tensor = guidedNoise(predict, x, t, o.classes, o.nullClass, o.guidance ?? 0);
    let x0: T.Tensor = tf.div(tf.sub(x, tf.mul(eps, Math.sqrt(1 - s.a))), Math.sqrt(s.a));
    if (o.clip) {
      x0 = tf.clipByValue(x0, o.clip[0], o.clip[1]);
      eps = tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(s.a))), Math.sqrt(1 - s.a));
    }
    let next = tf.add(tf.mul(x0, Math.sqrt(s.ap)), tf.mul(eps, Math.sqrt(Math.max(0, 1 - s.ap - s.sigma * s.sigma))));
    if (z) next = tf.add(next, tf.mul(tf.tensor(z, x.shape), s.sigma));
    return next as T.Tensor4D;
  });
}

/** Per-sample noise, each sample's values from its own generator, in NHWC order. */
function noiseFor(rands: Array<() => number>, per: number): Float32Array {
  const out = new Float32Array(rands.length * per);
  rands.forEach((r, i) => out.set(gaussian(per, r), i * per));
  return out;
}

/** Samples one batch; resolves with the images, NHWC, in the model's data scale. */
export async function sampleDdim(predict: NoisePredictor, o: DdimOptions): Promise<Float32Array> {
  const n = o.classes.length;
  if (o.seeds.length !== n) throw new Error(`${o.seeds.length} seeds for ${n} samples`);
  const per = o.imageShape[0] * o.imageShape[1] * o.imageShape[2];
  const rands = Array.from(o.seeds, (s) => makeRng(s));
  const taus = ddimTimesteps(o.schedule.steps, o.steps);
  let x = tf.tensor4d(noiseFor(rands, per), [n, ...o.imageShape]);
  try {
    for (let i = o.steps; i >= 1; i--) {
      throwIfAborted(o.signal);
      const s = stepScalars(o, taus, i);
      const next = denoiseStep(predict, o, x, taus[i], s, s.sigma > 0 ? noiseFor(rands, per) : null);
      x.dispose();
      x = next;
      o.onStep?.(o.steps - i + 1, o.steps);
      await new Promise((r) => setImmediate(r));
    }
    return (await x.data()) as Float32Array;
  } finally {
    x.dispose();
  }
}
