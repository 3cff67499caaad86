// Step (ReLU's and fused-matMul-ReLU's gradient mask) on tensorflow: tfjs-node builds it from seven
// tfjs ops, two of them full-size constant fills made in JS; here Greater, SelectV2, IsNan,
// SelectV2 with broadcast scalars, in one kernel call (../ops.ts). Same values, NaN included;
// other dtypes go to tfjs-node's own. Checked against the cpu backend in
// test/backends/tensorflow.backend.test.ts.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { displacedKernel } from '../../registerKernels';
import { withNativeOps } from '../ops';

const stepKernel: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return displacedKernel('Step', 'tensorflow')(args);
  const { alpha } = args.attrs as unknown as { alpha: number };
  return withNativeOps(args.backend, (ops) => {
    const xh = ops.input(x);
    const positive = ops.op('Greater', [xh, ops.scalar(0)]);
    const stepped = ops.op('SelectV2', [positive, ops.scalar(1), ops.scalar(alpha)]);
    return ops.adopt(ops.op('SelectV2', [ops.op('IsNan', [xh]), xh, stepped]));
  });
};

export const stepConfig: KernelConfig = { kernelName: 'Step', backendName: 'tensorflow', kernelFunc: stepKernel };
