// Batch norm's forward pass in training mode on tensorflow as TF's FusedBatchNormV3 (is_training),
// one TF op with the layer's moving averages updated in the same kernel call; ../batchNorm.ts has
// why and the route from the layer.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { T } from '../../../tf';
import { NATIVE_BN_FORWARD } from '../../kernelNames';
import { as4d, bnAttrs } from '../batchNorm';
import { withNativeOps, type NativeHandle } from '../ops';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/**
 * Outputs: y, the layer's next moving mean and variance, and TF's three reserve tensors for the
 * gradient. The moving averages are the layer's own update (m ← m − (m − batch)·(1 − momentum),
 * with the biased batch variance) as the same three float32 ops tfjs-layers runs, here inside the
 * one kernel call instead of six more.
 */
function forward(args: Args): T.Tensor[] {
  const { x, gamma, beta, movingMean, movingVariance } = args.inputs;
  const { epsilon, momentum } = args.attrs as unknown as { epsilon: number; momentum: number };
  return withNativeOps(args.backend, (ops) => {
    const xh = ops.input(x);
    const empty = ops.constant([0], new Float32Array(0));
    const [y, mean, besselVar, r1, r2, r3] = ops.run(
      'FusedBatchNormV3',
      [...bnAttrs(ops, epsilon), ops.attr('exponential_avg_factor', 1, 'float')],
      [as4d(ops, xh), ops.input(gamma), ops.input(beta), empty, empty],
      6,
    );
    const n = xh.shape.reduce((a, b) => a * b, 1) / xh.shape[xh.shape.length - 1];
    const variance = ops.op('Mul', [besselVar, ops.scalar(n > 1 ? (n - 1) / n : 1)]);
    const decay = ops.scalar(1 - momentum);
    const moved = (old: NativeHandle, batch: NativeHandle): NativeHandle => ops.op('Sub', [old, ops.op('Mul', [ops.op('Sub', [old, batch]), decay])]);
    return [
      ops.adopt(ops.reshape(y, x.shape)),
      ops.adopt(moved(ops.input(movingMean), mean)),
      ops.adopt(moved(ops.input(movingVariance), variance)),
      ops.adopt(r1),
      ops.adopt(r2),
      ops.adopt(r3),
    ];
  });
}

export const salunNativeBatchNormTrainConfig: KernelConfig = {
  kernelName: NATIVE_BN_FORWARD,
  backendName: 'tensorflow',
  kernelFunc: forward as unknown as KernelFunc,
};
