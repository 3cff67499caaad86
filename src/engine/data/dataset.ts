// A labelled image set held as one typed array; subsets are index lists, batches are copies of
// the rows they need (never one tensor per sample).
import { UserError } from '../../store/errors';

export interface ImageSet {
  /** n × h × w × c values in [0, 1], row-major NHWC. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** Where it came from, for error messages and run configs. */
  source: string;
}

export interface SplitData {
  train: ImageSet;
  test: ImageSet;
  /** Name of each label, where the format names its classes (folder names, batches.meta.txt). */
  classNames?: string[];
  /** What the loader chose or skipped that the user should know (files used, files skipped); logged by the job. */
  notes?: DataNote[];
}

export interface DataNote {
  /** warn: something was left out or replaced (a missing batch, skipped files); info: what was read. */
  level: 'info' | 'warn';
  message: string;
}

export function sampleSize(set: ImageSet): number {
  return set.height * set.width * set.channels;
}

/** Copies the given rows into contiguous arrays for one batch. */
export function gatherRows(set: ImageSet, indices: ArrayLike<number>, from = 0, to = indices.length): { x: Float32Array; y: Int32Array } {
  const size = sampleSize(set);
  const count = to - from;
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const idx = indices[from + i];
    x.set(set.images.subarray(idx * size, (idx + 1) * size), i * size);
    y[i] = set.labels[idx];
  }
  return { x, y };
}

export function fromIdx(images: { shape: number[]; data: Uint8Array }, labels: { shape: number[]; data: Uint8Array }, source: string): ImageSet {
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new UserError(`${source}: images must be n×h×w or n×h×w×c, got ${images.shape.join('×')}`, undefined, source);
  }
  if (labels.shape.length !== 1) throw new UserError(`${source}: labels must be a 1-D array, got ${labels.shape.join('×')}`, undefined, source);
  const [n, h, w] = images.shape;
  const c = images.shape[3] ?? 1;
  if (labels.shape[0] !== n) {
    throw new UserError(`${source}: ${n} images but ${labels.shape[0]} labels`, 'The image and label files must come from the same split.', source);
  }
  const px = new Float32Array(images.data.length);
  for (let i = 0; i < px.length; i++) px[i] = images.data[i] / 255;
  const lab = Int32Array.from(labels.data);
  let maxLabel = 0;
  for (const l of lab) maxLabel = Math.max(maxLabel, l);
  return { images: px, labels: lab, n, height: h, width: w, channels: c, numClasses: maxLabel + 1, source };
}

/** The rows of `set` whose label is not `classIndex` (class-wise forgetting removes it from Dt). */
export function indicesWithoutClass(set: ImageSet, classIndex: number): Int32Array {
  const keep: number[] = [];
  for (let i = 0; i < set.n; i++) if (set.labels[i] !== classIndex) keep.push(i);
  return Int32Array.from(keep);
}

export function allIndices(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
