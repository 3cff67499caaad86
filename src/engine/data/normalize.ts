// data.normalize: the pixel scaling a model expects. Loaders give values in [0, 1] ('unit', what
// the built-in models train on); a model trained elsewhere may expect [-1, 1] (transforms.Normalize
// (0.5, 0.5)) or per-channel standardisation (the data set's mean and std). Statistics come from
// the training set only and are applied to train and test alike, as torchvision users compute them.
// Plain typed-array work on the loader's fresh arrays (no tensors).
import type { DataNormalization } from '../../protocol/config';
import { UserError } from '../../store/errors';
import type { ImageSet, SplitData } from './dataset';

export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** Per-channel mean and (population) std of an NHWC set; a flat channel gets std 1 (no division by 0). */
export function channelStats(set: ImageSet): ChannelStats {
  const c = set.channels;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const images = set.images;
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const count = images.length / c;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sq, (s, k) => {
    const sd = Math.sqrt(Math.max(0, s / count - mean[k] * mean[k]));
    return sd > 1e-8 ? sd : 1;
  });
  return { mean, std };
}

function scale(set: ImageSet, shift: readonly number[], divide: readonly number[]): void {
  const c = set.channels;
  const images = set.images;
  for (let i = 0; i < images.length; i++) images[i] = (images[i] - shift[i % c]) / divide[i % c];
}

/** Rescales `data`'s pixels in place (the loader's own arrays) and returns it; 'unit' changes nothing. */
export function normalizeSplit(data: SplitData, how: DataNormalization = 'unit'): SplitData {
  if (how === 'unit') return data;
  const c = data.train.channels;
  if (typeof how === 'object') {
    for (const key of ['mean', 'std'] as const) {
      if (how[key].length !== c) {
        throw new UserError(
          `data.normalize.${key} has ${how[key].length} value${how[key].length === 1 ? '' : 's'} but the data has ${c} channel${c === 1 ? '' : 's'} (${data.train.source}).`,
          'Give one mean and one std per channel, as in transforms.Normalize(mean, std).',
        );
      }
    }
    if (how.std.some((s) => !(s > 0))) throw new UserError(`data.normalize.std must be above 0 for every channel (got ${how.std.join(', ')}).`);
    scale(data.train, how.mean, how.std);
    scale(data.test, how.mean, how.std);
    const note = `pixels normalised per channel with mean ${how.mean.join(', ')} and std ${how.std.join(', ')} (data.normalize, torchvision's Normalize)`;
    return { ...data, notes: [...(data.notes ?? []), { level: 'info', message: note }] };
  }
  const stats: ChannelStats = how === 'centered' ? { mean: new Array<number>(c).fill(0.5), std: new Array<number>(c).fill(0.5) } : channelStats(data.train);
  scale(data.train, stats.mean, stats.std);
  scale(data.test, stats.mean, stats.std);
  const note =
    how === 'centered'
      ? 'pixels scaled to [-1, 1] (data.normalize = centered)'
      : `pixels standardised per channel with the training set's mean ${stats.mean.map((m) => m.toFixed(4)).join(', ')} and std ${stats.std.map((s) => s.toFixed(4)).join(', ')} (data.normalize = standardize)`;
  return { ...data, notes: [...(data.notes ?? []), { level: 'info', message: note }] };
}
