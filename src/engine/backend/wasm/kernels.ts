// The kernels the wasm backend adds to tfjs-backend-wasm 4.22 or replaces in it for training, one
// file each in kernels/ (the file says what tfjs's own lacks or gets wrong), registered when the
// backend starts. Every kernel here is checked against the cpu backend in
// test/unit/wasmKernels.unit.test.ts, and each op's gradient against finite differences in
// test/unit/gradCheck.unit.test.ts.
import type { KernelConfig } from '@tensorflow/tfjs';
import { routeBatchNorm } from '../batchNormLayer';
import { registerKernels } from '../registerKernels';
import { wasmRoute } from './batchNorm';
import { batchMatMulConfig } from './kernels/BatchMatMul';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';
import { fusedMatMulConfig } from './kernels/_FusedMatMul';
import { identityConfig } from './kernels/Identity';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad';
import { meanConfig } from './kernels/Mean';
import { salunBatchNormTrainConfig } from './kernels/SalunBatchNormTrain';
import { salunBatchNormTrainGradConfig } from './kernels/SalunBatchNormTrainGrad';
import { sgdStepConfig } from './kernels/SalunSgdStep';
import { sumConfig } from './kernels/Sum';

export const WASM_KERNELS: readonly KernelConfig[] = [
  maxPoolGradConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  salunBatchNormTrainConfig,
  salunBatchNormTrainGradConfig,
  sgdStepConfig,
];

/** Registers WASM_KERNELS and routes tfjs-layers' batch norm to the fused pair; idempotent. */
export function installWasmKernels(): void {
  registerKernels(WASM_KERNELS);
  routeBatchNorm(wasmRoute);
}
