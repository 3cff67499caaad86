// A class-balanced prefix of a training set: the first samples of each class in file order, taken
// round-robin over the classes, so that `k` samples cover every class about equally. Used by the
// comparison table to keep memorisation (θo and Retrain at ≈100% train accuracy) affordable.
import { UserError } from '../../store/errors';
import type { ImageSet, SplitData } from './dataset';
import { sampleSize } from './dataset';

/** Indices (ascending) of the balanced first-k subset. */
export function balancedPrefix(labels: Int32Array, numClasses: number, k: number): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((l, i) => byClass[l]?.push(i));
  const picked: number[] = [];
  const at = new Array<number>(numClasses).fill(0);
  while (picked.length < k) {
    let took = false;
    for (let c = 0; c < numClasses && picked.length < k; c++) {
      if (at[c] < byClass[c].length) {
        picked.push(byClass[c][at[c]++]);
        took = true;
      }
    }
    if (!took) break;
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}

export function subsetRows(set: ImageSet, indices: Int32Array, source: string): ImageSet {
  const size = sampleSize(set);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  indices.forEach((idx, i) => {
    images.set(set.images.subarray(idx * size, (idx + 1) * size), i * size);
    labels[i] = set.labels[idx];
  });
  return { ...set, images, labels, n: indices.length, source };
}

/** The data with its training set cut to the balanced first `k` samples (unchanged when k ≥ n). */
export function withTrainSubset(data: SplitData, k: number | undefined): SplitData {
  if (k === undefined || k >= data.train.n) return data;
  if (!(Number.isInteger(k) && k > 0)) throw new UserError(`The training subset size must be a positive integer, got ${k}.`);
  const idx = balancedPrefix(data.train.labels, data.train.numClasses, k);
  return { ...data, train: subsetRows(data.train, idx, `${data.train.source}, balanced first ${idx.length}`) };
}
