// Batch norm in training mode as two kernels on wasm. The layer's own training path (tfjs-layers)
// runs moments → batchNorm, and its gradient walks back through every one of those ops: ≈ 10
// full-size passes per layer and step, each a kernel call with a heap allocation. In closed form
// (per channel c over the N values of the reduced axes, s = 1/√(σ² + ε), x̂ = (x − μ)·s):
//   forward   y = γ·x̂ + β
//   backward  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·s/N · (N·dy − dβ − x̂·dγ)
// which is 3 passes forward (mean, variance, y) and 2 back (the two sums, dx). Sums accumulate in
// float64. Only the channels-last layout with every other axis reduced (the built-in CNN's, and
// Keras's default) takes this path; anything else, and every other backend, runs tfjs-layers' code.
// Checked against the layer's own path on the cpu backend, forward, gradients and moving
// statistics, in test/unit/wasmKernels.unit.test.ts, and by finite differences in gradCheck.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf, type T } from '../../tf';
import { routeBatchNorm, type BatchNormRoute } from '../batchNormLayer';
import type { Backend } from './heap';

const FORWARD = 'SalunBatchNormTrain';
const BACKWARD = 'SalunBatchNormTrainGrad';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: unknown };

/**
 * Per-channel sums over the rows of a row-major [rows, C] array, in float64: Σ x (plain), Σ x·y
 * (`y` given) or Σ (x − shift)² (`shift` given). Four channels per pass with the sums in locals and
 * no branch in the inner loop, then one pass per leftover channel.
 */
function columnSums(x: Float32Array, rows: number, C: number, out: Float64Array, y?: Float32Array, shift?: Float64Array): void {
  const end = rows * C;
  let c = 0;
  if (y) {
    for (; c + 4 <= C; c += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let at = c; at < end; at += C) {
        s0 += x[at] * y[at];
        s1 += x[at + 1] * y[at + 1];
        s2 += x[at + 2] * y[at + 2];
        s3 += x[at + 3] * y[at + 3];
      }
      out[c] = s0;
      out[c + 1] = s1;
      out[c + 2] = s2;
      out[c + 3] = s3;
    }
    for (; c < C; c++) {
      let s0 = 0;
      for (let at = c; at < end; at += C) s0 += x[at] * y[at];
      out[c] = s0;
    }
  } else if (shift) {
    for (; c + 4 <= C; c += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      const m0 = shift[c],
        m1 = shift[c + 1],
        m2 = shift[c + 2],
        m3 = shift[c + 3];
      for (let at = c; at < end; at += C) {
        const d0 = x[at] - m0,
          d1 = x[at + 1] - m1,
          d2 = x[at + 2] - m2,
          d3 = x[at + 3] - m3;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      out[c] = s0;
      out[c + 1] = s1;
      out[c + 2] = s2;
      out[c + 3] = s3;
    }
    for (; c < C; c++) {
      let s0 = 0;
      const m0 = shift[c];
      for (let at = c; at < end; at += C) {
        const d = x[at] - m0;
        s0 += d * d;
      }
      out[c] = s0;
    }
  } else {
    for (; c + 4 <= C; c += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let at = c; at < end; at += C) {
        s0 += x[at];
        s1 += x[at + 1];
        s2 += x[at + 2];
        s3 += x[at + 3];
      }
      out[c] = s0;
      out[c + 1] = s1;
      out[c + 2] = s2;
      out[c + 3] = s3;
    }
    for (; c < C; c++) {
      let s0 = 0;
      for (let at = c; at < end; at += C) s0 += x[at];
      out[c] = s0;
    }
  }
}

function forward(args: Args): TensorInfo[] {
  const backend = args.backend as Backend;
  const { x, gamma, beta } = args.inputs;
  const { epsilon } = args.attrs as { epsilon: number };
  const C = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  const outs = [backend.makeOutput(x.shape, 'float32'), ...[0, 1, 2].map(() => backend.makeOutput([C], 'float32'))];
  const [yT, meanT, varT, invT] = outs;
  const X = backend.typedArrayFromHeap(x);
  const G = backend.typedArrayFromHeap(gamma);
  const B = backend.typedArrayFromHeap(beta);
  const mean = new Float64Array(C);
  const sq = new Float64Array(C);
  columnSums(X, rows, C, mean);
  for (let c = 0; c < C; c++) mean[c] /= rows;
  columnSums(X, rows, C, sq, undefined, mean);
  const scale = new Float64Array(C);
  const offset = new Float64Array(C);
  const M = backend.typedArrayFromHeap(meanT);
  const V = backend.typedArrayFromHeap(varT);
  const S = backend.typedArrayFromHeap(invT);
  for (let c = 0; c < C; c++) {
    const variance = sq[c] / rows;
    const s = 1 / Math.sqrt(variance + epsilon);
    M[c] = mean[c];
    V[c] = variance;
    S[c] = s;
    scale[c] = G[c] * s;
    offset[c] = B[c] - mean[c] * scale[c];
  }
  const Y = backend.typedArrayFromHeap(yT);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, at++) Y[at] = X[at] * scale[c] + offset[c];
  }
  return outs;
}

function backward(args: Args): TensorInfo[] {
  const backend = args.backend as Backend;
  const { dy, x, gamma, mean, invstd } = args.inputs;
  const C = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  const dxT = backend.makeOutput(x.shape, 'float32');
  const dgT = backend.makeOutput([C], 'float32');
  const dbT = backend.makeOutput([C], 'float32');
  const DY = backend.typedArrayFromHeap(dy);
  const X = backend.typedArrayFromHeap(x);
  const G = backend.typedArrayFromHeap(gamma);
  const MU = backend.typedArrayFromHeap(mean);
  const S = backend.typedArrayFromHeap(invstd);
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C);
  columnSums(DY, rows, C, sumDy);
  columnSums(DY, rows, C, sumDyX, X);
  const k1 = new Float64Array(C);
  const k2 = new Float64Array(C);
  const k3 = new Float64Array(C);
  const DG = backend.typedArrayFromHeap(dgT);
  const DB = backend.typedArrayFromHeap(dbT);
  for (let c = 0; c < C; c++) {
    const s = S[c];
    const dBeta = sumDy[c];
    const dGamma = s * (sumDyX[c] - MU[c] * sumDy[c]);
    DB[c] = dBeta;
    DG[c] = dGamma;
    // dx = k1·dy + k2·x + k3, the closed form above expanded per channel.
    const gs = G[c] * s;
    k1[c] = gs;
    k2[c] = (-gs * s * dGamma) / rows;
    k3[c] = (-gs * dBeta) / rows + (gs * s * MU[c] * dGamma) / rows;
  }
  const DX = backend.typedArrayFromHeap(dxT);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, at++) DX[at] = k1[c] * DY[at] + k2[c] * X[at] + k3[c];
  }
  return [dxT, dgT, dbT];
}

/** y, and the batch mean and (biased) variance the layer's moving averages take. */
function batchNormTraining(x: T.Tensor, gamma: T.Tensor, beta: T.Tensor, epsilon: number): { y: T.Tensor; mean: T.Tensor; variance: T.Tensor } {
  let mean: T.Tensor | undefined;
  let variance: T.Tensor | undefined;
  // customGrad's signature is variadic (tensors, then the save function).
  const op = tf.customGrad(((xs: T.Tensor, g: T.Tensor, b: T.Tensor, save: (ts: T.Tensor[]) => void) => {
    const [y, m, v, s] = tf.engine().runKernel<T.Tensor[]>(FORWARD, { x: xs, gamma: g, beta: b }, { epsilon });
    mean = tf.keep(m);
    variance = tf.keep(v);
    save([xs, g, m, s]);
    return {
      value: y,
      gradFunc: (dy: T.Tensor, saved: T.Tensor[]) => {
        const [sx, sg, sm, ss] = saved;
        return tf.engine().runKernel<T.Tensor[]>(BACKWARD, { dy, x: sx, gamma: sg, mean: sm, invstd: ss }, {});
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta);
  if (!mean || !variance) throw new Error('batch norm forward kernel returned no statistics');
  return { y, mean, variance };
}

/**
 * Turns the fused path off and on (bench/profile-step.ts measures it against tfjs-layers' own):
 * the layer takes it exactly when the current backend has the forward kernel registered.
 */
export function setFusedBatchNorm(on: boolean): void {
  if (on) installWasmBatchNorm();
  else for (const name of [FORWARD, BACKWARD]) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
}

/** The layer's training call on wasm: the kernels above, then its own moving-average update (x ← x − (x − batch)·(1 − momentum)). */
const wasmRoute: BatchNormRoute = {
  kernel: FORWARD,
  train(layer, x, gamma, beta) {
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, layer.epsilon);
    const decay = 1 - layer.momentum;
    for (const [variable, value] of [
      [layer.movingMean, mean],
      [layer.movingVariance, variance],
    ] as const) {
      const old = variable.read();
      variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
    }
    // Kept out of customGrad's scope on purpose, so no tidy releases them: done with them here.
    tf.dispose([mean, variance]);
    return y;
  },
};

/** Registers the two kernels for wasm and routes the layer's training path to them (idempotent). */
export function installWasmBatchNorm(): void {
  if (!tf.getKernel(FORWARD, 'wasm')) {
    tf.registerKernel({ kernelName: FORWARD, backendName: 'wasm', kernelFunc: forward as unknown as KernelFunc });
    tf.registerKernel({ kernelName: BACKWARD, backendName: 'wasm', kernelFunc: backward as unknown as KernelFunc });
  }
  routeBatchNorm(wasmRoute);
}
