// Writers of other formats (ONNX, safetensors) read a model's weights as plain arrays, synchronously,
// inside code that builds files. The webgpu backend cannot read synchronously in Node, so every
// product path takes a snapshot first (`withWeightSnapshot`, one asynchronous read per weight) and
// the writers read from it. Without a snapshot (tests on cpu/wasm), a synchronous read is the
// fallback — this file is on the CPU-only list of test/unit/asyncReads.unit.test.ts for that line.
import { tf, type T } from '../tf';
import { backendRow } from '../../protocol/backends';

let snapshot: Map<T.LayerVariable, Float32Array> | undefined;

/** Runs `body` with every weight of `model` read once, asynchronously; the writers inside read from it. */
export async function withWeightSnapshot<R>(model: T.LayersModel, body: () => R | Promise<R>): Promise<R> {
  const values = new Map<T.LayerVariable, Float32Array>();
  for (const v of model.weights) values.set(v, (await v.read().data()) as Float32Array);
  const previous = snapshot;
  snapshot = values;
  try {
    return await body();
  } finally {
    snapshot = previous;
  }
}

/** A weight's values (row-major, tfjs layout). */
export function weightValues(v: T.LayerVariable): Float32Array {
  const s = snapshot?.get(v);
  if (s) return s;
  const backend = tf.getBackend();
  if (backendRow(backend)?.asyncReadsOnly) throw new Error(`weight ${v.name} read without a snapshot on ${backend} (wrap the writer in withWeightSnapshot)`);
  return v.read().dataSync() as Float32Array;
}

/** Row-major `values` of `shape` with its axes permuted (out axis i = in axis perm[i]). */
export function permuteValues(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const strides = perm.map((p) => inStrides[p]);
  const out = new Float32Array(values.length);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += idx[i] * strides[i];
    out[k] = values[off];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}
