// Batch norm's forward pass in training mode on wasm, in 3 passes (mean, variance, y) with the sums
// in float64: y = γ·x̂ + β, x̂ = (x − μ)·s, s = 1/√(σ² + ε) per channel. Outputs y, the batch mean,
// the biased variance and s; ../batchNorm.ts has why and the route from the layer.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { WASM_BN_FORWARD } from '../../kernelNames';
import { columnSums } from '../columnSums';
import type { Backend } from '../heap';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: unknown };

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

export const salunBatchNormTrainConfig: KernelConfig = { kernelName: WASM_BN_FORWARD, backendName: 'wasm', kernelFunc: forward as unknown as KernelFunc };
