// Kernels registered over tfjs-backend-wasm's for the copies its own make:
// - Sum and Mean over leading axes: wasm's kernels first transpose the reduced axes to the
//   innermost position, so every per-channel reduction of an NHWC tensor (batch-norm moments and
//   gradients, bias gradients) copied the whole activation. Reducing the leading axes of a
//   row-major [R, C] array needs no copy (a matMul ones[1, R]·X was slower: XNNPACK packs X).
// - Identity copies its input on wasm; tensors are immutable, so sharing the data under a
//   reference count (as Reshape does, and as the cpu backend's Identity does) is enough. The
//   engine clones every tensor a gradient saves, so this was ≈30 activation copies per CNN step.
// Other reductions go to tfjs's kernels unchanged. Checked against the cpu backend in
// test/unit/wasmKernels.unit.test.ts.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf';
import { wasmKernel, type Backend } from './heap';

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

function leadingReduction(original: KernelFunc, mean: boolean): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as ReduceAttrs;
    const lead = x.dtype === 'float32' ? leadingAxes(attrs.axis, x.shape.length) : -1;
    if (lead < 0) return original(args);
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

function sharedIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as Backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Registers the kernels above for the wasm backend (called once, by installWasmTrainingKernels). */
export function installWasmReductions(): void {
  for (const [name, mean] of [
    ['Sum', false],
    ['Mean', true],
  ] as const) {
    const original = wasmKernel(name);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: leadingReduction(original, mean) });
  }
  const identity = wasmKernel('Identity');
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity(identity) });
}
