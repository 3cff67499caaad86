// The generation job's data: the images average-pooled by `factor` (2: 28×28 → 14×14), the data
// transform that lets a DDPM train and unlearn on 2 CPU cores in minutes. Recorded in config.json
// and named in the report, since every figure is on the pooled images.
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { ImageSet, SplitData } from '../../data/dataset';
import { loadDataAsync } from '../../data/load';
import { dataIdentity } from '../../../store/data/layout';
import { UserError } from '../../../store/errors';
import type { JobContext } from '../shared/jobContext';

/** Each factor×factor block of every channel replaced by its mean; H and W must be divisible by factor. */
export function averagePool(set: ImageSet, factor: number): ImageSet {
  if (factor === 1) return set;
  const { n, height: h, width: w, channels: c } = set;
  if (h % factor || w % factor) throw new Error(`${set.source}: ${h}×${w} images cannot be pooled by ${factor} (not divisible)`);
  const oh = h / factor;
  const ow = w / factor;
  const out = new Float32Array(n * oh * ow * c);
  const norm = 1 / (factor * factor);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += set.images[((i * h + y * factor + dy) * w + x * factor + dx) * c + k];
          out[((i * oh + y) * ow + x) * c + k] = sum * norm;
        }
      }
    }
  }
  return { ...set, images: out, height: oh, width: ow, source: `${set.source}, ${factor}×${factor} average-pooled` };
}

export function poolSplit(data: SplitData, factor: number): SplitData {
  return { ...data, train: averagePool(data.train, factor), test: averagePool(data.test, factor) };
}

/** Training rows of one class (Df) and of every other class (Dr). */
export function classRows(set: ImageSet, forgetClass: number): { forget: Int32Array; retain: Int32Array } {
  const forget: number[] = [];
  const retain: number[] = [];
  for (let i = 0; i < set.n; i++) (set.labels[i] === forgetClass ? forget : retain).push(i);
  return { forget: Int32Array.from(forget), retain: Int32Array.from(retain) };
}

/** The job's data, pooled, with what identifies it for the model cache (the files and the transform). */
export async function loadGenerationData(config: GenerationConfig, ctx: JobContext): Promise<{ data: SplitData; dataKey: unknown }> {
  if (config.data.heldOut)
    throw new UserError(
      `data.heldOut (${config.data.heldOut}) is the classification verdict's unseen reference; generation runs judge their samples with a classifier and do not use it.`,
      'Remove heldOut from the generation config.',
    );
  ctx.emit({ type: 'phase', phase: 'load', label: 'Loading data' });
  const raw = await loadDataAsync(config.data, ctx.workspaceDir, ctx.signal);
  for (const note of raw.notes ?? []) ctx.emit({ type: 'log', level: note.level, message: note.message });
  const data = poolSplit(raw, config.downsample);
  const k = data.train.numClasses;
  if (config.forgetClass >= k)
    throw new UserError(
      `The forget class ${config.forgetClass} is not a class of the data: it has ${k} classes (0..${k - 1}).`,
      'Set forgetClass to one of them.',
    );
  return { data, dataKey: { files: dataIdentity(config.data, ctx.workspaceDir), normalize: config.data.normalize ?? 'unit', downsample: config.downsample } };
}
