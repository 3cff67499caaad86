// Batch norm's gradient in training mode on tensorflow as TF's FusedBatchNormGradV3, one TF op; it
// takes the forward's three reserve outputs untouched (../batchNorm.ts says why).
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { T } from '../../../tf';
import { NATIVE_BN_BACKWARD } from '../../kernelNames';
import { as4d, bnAttrs } from '../batchNorm';
import { withNativeOps } from '../ops';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/** Outputs: dx, dγ, dβ. */
function backward(args: Args): T.Tensor[] {
  const { dy, x, gamma, r1, r2, r3 } = args.inputs;
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  return withNativeOps(args.backend, (ops) => {
    const [dx, dGamma, dBeta] = ops.run(
      'FusedBatchNormGradV3',
      bnAttrs(ops, epsilon),
      [as4d(ops, ops.input(dy)), as4d(ops, ops.input(x)), ops.input(gamma), ops.input(r1), ops.input(r2), ops.input(r3)],
      5,
    );
    return [ops.adopt(ops.reshape(dx, x.shape)), ops.adopt(dGamma), ops.adopt(dBeta)];
  });
}

export const salunNativeBatchNormTrainGradConfig: KernelConfig = {
  kernelName: NATIVE_BN_BACKWARD,
  backendName: 'tensorflow',
  kernelFunc: backward as unknown as KernelFunc,
};
