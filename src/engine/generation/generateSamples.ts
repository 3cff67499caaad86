// Generated images for a list of classes, class-major with the seeds of ./sampleSeeds.ts, as an
// ImageSet in [0, 1] whose labels are the conditioning classes: the form classifiers, features,
// grids and other runs' references all take.
import type { ImageSet } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import type { T } from '../tf';
import { sampleDdim, unetPredictor } from './ddim';
import { sampleLayout } from './sampleSeeds';
import type { NoiseSchedule } from './schedule';
import { toUnitRange } from './train';
import { unetNumClasses } from './unet';

export interface GenerateOptions {
  schedule: NoiseSchedule;
  classes: readonly number[];
  samplesPerClass: number;
  /** DDIM steps S. */
  steps: number;
  guidance: number;
  seed: number;
  /** 0 (default): deterministic DDIM, so equal seeds give equal images. */
  eta?: number;
  /** Samples per sampler call; the U-Net sees twice as many rows when guidance > 0. */
  batchSize?: number;
  signal?: AbortSignal;
  /** Denoising steps done over all batches. */
  onStep?: (done: number, total: number) => void;
}

export const DEFAULT_SAMPLE_BATCH = 40;

export function imageShapeOf(model: T.LayersModel): [number, number, number] {
  const [, h, w, c] = model.inputs[0].shape;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') throw new Error(`${model.name} has no fixed image input shape`);
  return [h, w, c];
}

export async function generateSamples(model: T.LayersModel, o: GenerateOptions): Promise<ImageSet> {
  const numClasses = unetNumClasses(model);
  for (const c of o.classes) if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new Error(`class ${c} is outside 0..${numClasses - 1}`);
  const shape = imageShapeOf(model);
  const per = shape[0] * shape[1] * shape[2];
  const layout = sampleLayout(o.seed, o.classes, o.samplesPerClass);
  const n = layout.classes.length;
  const batch = o.batchSize ?? DEFAULT_SAMPLE_BATCH;
  const images = new Float32Array(n * per);
  const predict = unetPredictor(model);
  const totalSteps = Math.ceil(n / batch) * o.steps;
  for (let from = 0, done = 0; from < n; from += batch, done += o.steps) {
    throwIfAborted(o.signal);
    const to = Math.min(n, from + batch);
    const x = await sampleDdim(predict, {
      schedule: o.schedule,
      steps: o.steps,
      classes: layout.classes.subarray(from, to),
      nullClass: numClasses,
      seeds: layout.seeds.subarray(from, to),
      imageShape: shape,
      guidance: o.guidance,
      eta: o.eta ?? 0,
      clip: [-1, 1],
      signal: o.signal,
      onStep: (k) => o.onStep?.(done + k, totalSteps),
    });
    images.set(toUnitRange(x), from * per);
  }
  return { images, labels: layout.classes, n, height: shape[0], width: shape[1], channels: shape[2], numClasses, source: 'generated samples' };
}
