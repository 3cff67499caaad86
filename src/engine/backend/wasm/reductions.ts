// Sum and Mean over leading axes (kernels/Sum.ts, Mean.ts): wasm's kernels first transpose the
// reduced axes to the innermost position, so every per-channel reduction of an NHWC tensor
// (batch-norm moments and gradients, bias gradients) copied the whole activation. Reducing the
// leading axes of a row-major [R, C] array needs no copy (a matMul ones[1, R]·X was slower: XNNPACK
// packs X). Other reductions go to tfjs's kernels unchanged. Checked against the cpu backend in
// test/unit/wasmKernels.unit.test.ts.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf';
import { displacedKernel } from '../registerKernels';
import type { Backend } from './heap';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/** The number of leading axes `axis` names, or -1 when it is not exactly 0…r−1 with r < rank. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = tf.util.parseAxisParam(axis, new Array<number>(rank).fill(1)).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return -1;
  return axes.every((a, i) => a === i) ? axes.length : -1;
}

/** `name`'s kernel with the leading-axes case done here, every other case by wasm's own. */
export function leadingReduction(name: 'Sum' | 'Mean'): KernelFunc {
  const mean = name === 'Mean';
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as ReduceAttrs;
    const lead = x.dtype === 'float32' ? leadingAxes(attrs.axis, x.shape.length) : -1;
    if (lead < 0) return displacedKernel(name, 'wasm')(args);
    const backend = args.backend as unknown as Backend;
    const rows = x.shape.slice(0, lead).reduce((a, b) => a * b, 1);
    const kept = x.shape.slice(lead);
    const cols = kept.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(attrs.keepDims ? [...new Array<number>(lead).fill(1), ...kept] : kept, 'float32');
    sumRows(backend.typedArrayFromHeap(x), rows, cols, backend.typedArrayFromHeap(out), mean ? 1 / rows : 1);
    return out;
  };
}

/**
 * out[c] = scale·Σ_r x[r·cols + c]. Four columns at a time in local (float64) accumulators: one
 * pass per block of columns with no stores in the inner loop, ≈6× faster than one accumulator
 * array updated per value.
 */
function sumRows(xs: Float32Array, rows: number, cols: number, out: Float32Array, scale: number): void {
  const end = rows * cols;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let at = c; at < end; at += cols) {
      s0 += xs[at];
      s1 += xs[at + 1];
      s2 += xs[at + 2];
      s3 += xs[at + 3];
    }
    out[c] = s0 * scale;
    out[c + 1] = s1 * scale;
    out[c + 2] = s2 * scale;
    out[c + 3] = s3 * scale;
  }
  for (; c < cols; c++) {
    let s = 0;
    for (let at = c; at < end; at += cols) s += xs[at];
    out[c] = s * scale;
  }
}
