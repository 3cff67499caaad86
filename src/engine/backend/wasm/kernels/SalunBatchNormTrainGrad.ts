// Batch norm's gradient in training mode on wasm, in 2 passes (the two sums, then dx) with the sums in
// float64: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·s/N · (N·dy − dβ − x̂·dγ). ../batchNorm.ts has why.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { WASM_BN_BACKWARD } from '../../kernelNames';
import { columnSums } from '../columnSums';
import type { Backend } from '../heap';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: unknown };

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

export const salunBatchNormTrainGradConfig: KernelConfig = { kernelName: WASM_BN_BACKWARD, backendName: 'wasm', kernelFunc: backward as unknown as KernelFunc };
