// An .npz of numpy arrays as image sets: x NHWC, NCHW or [N, H, W]; uint8 ÷255 (ToTensor()) or
// float in [0, 1] as is. Channels-first images are transposed to our NHWC once, here.
import { UserError } from '../../store/errors';
import { numpyName, readNpz, type NpyArray } from '../../store/data/npy';
import { NPZ_ARRAYS, npzLabels } from '../../store/data/npzLayout';
import type { ImageSet, SplitData } from './dataset';

export type NpzLayoutChoice = 'nhwc' | 'nchw';

const CHANNELS = [1, 3];

/** Which axis holds the channels of a 4-D x; the config's `layout` when the shape leaves both open. */
function layoutOf(shape: readonly number[], chosen: NpzLayoutChoice | undefined, source: string, file: string): NpzLayoutChoice | 'gray' {
  if (shape.length === 3) return 'gray';
  if (shape.length !== 4) {
    throw new UserError(`${source} has shape [${shape.join(', ')}]; images must be [N, H, W, C], [N, C, H, W] or [N, H, W].`, undefined, file);
  }
  if (chosen) return chosen;
  const last = CHANNELS.includes(shape[3]);
  const first = CHANNELS.includes(shape[1]);
  if (last && !first) return 'nhwc';
  if (first && !last) return 'nchw';
  throw new UserError(
    first
      ? `${source} has shape [${shape.join(', ')}]: axis 1 and axis 3 could both be the channels.`
      : `${source} has shape [${shape.join(', ')}]: neither axis 1 nor axis 3 has 1 or 3 channels.`,
    'Say where the channels are with "layout": "nhwc" ([N, H, W, C]) or "nchw" ([N, C, H, W], PyTorch) in the run config\'s data.',
    file,
  );
}

function toImageSet(x: NpyArray, labels: Int32Array, chosen: NpzLayoutChoice | undefined, source: string, file: string): ImageSet {
  const layout = layoutOf(x.shape, chosen, source, file);
  const [n] = x.shape;
  const [c, h, w] =
    layout === 'gray' ? [1, x.shape[1], x.shape[2]] : layout === 'nhwc' ? [x.shape[3], x.shape[1], x.shape[2]] : [x.shape[1], x.shape[2], x.shape[3]];
  if (labels.length !== n)
    throw new UserError(`${source}: ${n} images but ${labels.length} labels.`, 'x and y of a split must have the same first dimension.', file);
  const v = x.values;
  const isFloat = v instanceof Float32Array || v instanceof Float64Array;
  if (!isFloat && !(v instanceof Uint8Array)) {
    throw new UserError(
      `${source} is ${numpyName(x.descr)}; images must be uint8 (0…255) or float32/float64 in [0, 1].`,
      'Save them with x.astype(np.uint8) or x.astype(np.float32) / 255.',
      file,
    );
  }
  const images = new Float32Array(v.length);
  if (isFloat) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const p = v[i];
      if (!(p >= min)) min = Number.isNaN(p) ? NaN : p;
      if (!(p <= max)) max = Number.isNaN(p) ? NaN : p;
    }
    if (!(min >= 0 && max <= 1)) {
      throw new UserError(
        `${source}: float pixels must be in [0, 1] (what ToTensor() gives) but range from ${min} to ${max}.`,
        max > 1 && min >= 0
          ? 'Save them divided by 255, or as uint8.'
          : "Save the pixels before Normalize (in [0, 1]) and set the scaling in the run config's data.normalize instead.",
        file,
      );
    }
  }
  const at = layout === 'nchw' ? (i: number, y: number, xx: number, ch: number): number => ((i * c + ch) * h + y) * w + xx : undefined;
  if (!at) for (let i = 0; i < v.length; i++) images[i] = isFloat ? v[i] : v[i] / 255;
  else {
    let o = 0;
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          for (let ch = 0; ch < c; ch++) {
            const p = v[at(i, y, xx, ch)];
            images[o++] = isFloat ? p : p / 255;
          }
  }
  return { images, labels, n, height: h, width: w, channels: c, numClasses: 0, source };
}

export function loadNpzFile(file: string, layout?: NpzLayoutChoice): SplitData {
  const a = readNpz(file, NPZ_ARRAYS);
  const get = (k: string): NpyArray => a.get(k) as NpyArray;
  const train = toImageSet(get('x_train'), npzLabels(get('y_train'), `${file}: y_train`, file), layout, `${file}: x_train`, file);
  const test = toImageSet(get('x_test'), npzLabels(get('y_test'), `${file}: y_test`, file), layout, `${file}: x_test`, file);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new UserError(
      `${file}: x_train images are ${train.height}×${train.width}×${train.channels} but x_test images are ${test.height}×${test.width}×${test.channels}.`,
      undefined,
      file,
    );
  }
  let max = 0;
  for (const l of train.labels) max = Math.max(max, l);
  for (const l of test.labels) max = Math.max(max, l);
  train.numClasses = max + 1;
  test.numClasses = max + 1;
  return {
    train,
    test,
    notes: [
      {
        level: 'info',
        message: `${file}: ${train.n} training and ${test.n} test images of ${train.height}×${train.width}×${train.channels}, ${max + 1} classes.`,
      },
    ],
  };
}
