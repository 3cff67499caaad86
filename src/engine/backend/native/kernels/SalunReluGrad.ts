// ReLU's gradient as TF's ReluGrad (dy·[x > 0], one op) instead of tfjs-node's dy·cast(step(x));
// Relu_grad.ts runs it wherever it is registered.
import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { RELU_GRAD_KERNEL } from '../../kernelNames';
import { withNativeOps } from '../ops';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

function reluGradKernel(args: Args): Tensor {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  return withNativeOps(args.backend, (ops) => ops.adopt(ops.op('ReluGrad', [ops.input(dy), ops.input(x)])));
}

export const salunReluGradConfig: KernelConfig = {
  kernelName: RELU_GRAD_KERNEL,
  backendName: 'tensorflow',
  kernelFunc: reluGradKernel as unknown as KernelFunc,
};
