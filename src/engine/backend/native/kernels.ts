// The kernels the native `tensorflow` backend gets on top of tfjs-node's, one file each in
// kernels/: each does a few TF ops through the binding (ops.ts) inside ONE tfjs kernel call, to cut
// a training step's tfjs kernel calls; batch norm in training mode runs as TensorFlow's fused ops
// (batchNorm.ts). Relu_grad.ts is a gradient, so it is registered for every backend and runs
// SalunReluGrad only where the current backend has it. Checked against the cpu backend in
// test/backends/tensorflow.backend.test.ts.
import { tf } from '../../tf';
import { routeBatchNorm } from '../batchNormLayer';
import { registerKernels, type BackendKernel } from '../registerKernels';
import { nativeRoute } from './batchNorm';
import { reluGradConfig } from './kernels/Relu_grad';
import { salunNativeBatchNormTrainConfig } from './kernels/SalunNativeBatchNormTrain';
import { salunNativeBatchNormTrainGradConfig } from './kernels/SalunNativeBatchNormTrainGrad';
import { salunReluGradConfig } from './kernels/SalunReluGrad';
import { sgdStepConfig } from './kernels/SalunSgdStep';
import { stepConfig } from './kernels/Step';

export const NATIVE_KERNELS: readonly BackendKernel[] = [
  stepConfig,
  sgdStepConfig,
  salunNativeBatchNormTrainConfig,
  salunNativeBatchNormTrainGradConfig,
  reluGradConfig,
  salunReluGradConfig,
];

/**
 * Registers NATIVE_KERNELS and routes tfjs-layers' batch norm to TF's fused ops; call after
 * tfjs-node has registered its own kernels (Step wraps tfjs-node's). Idempotent.
 */
export function installNativeKernels(): void {
  if (!tf.getKernel('Step', 'tensorflow')) throw new Error("tfjs-node's kernels are not registered (load it with startNative first)");
  registerKernels(NATIVE_KERNELS);
  routeBatchNorm(nativeRoute);
}
