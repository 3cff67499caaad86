// The SGD step of src/engine/train/sgd.ts (SGD_STEP_KERNEL) on tensorflow: the same TF ops, in the
// same order, as the plain tfjs path (Mul, AddV2, SelectV2, Sub), so bit-identical; one kernel
// call per variable instead of one per op.
import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { SGD_STEP_KERNEL, type SgdStepAttrs } from '../../kernelNames';
import { withNativeOps } from '../ops';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/** One variable's step: see src/engine/train/sgd.ts for the formula this mirrors op for op. */
function sgdStepKernel(args: Args): Tensor[] {
  const { w, g, v, salient, anchor } = args.inputs as Record<'w' | 'g' | 'v', TensorInfo> & { salient?: TensorInfo; anchor?: TensorInfo };
  const { lr, momentum, weightDecay } = args.attrs as unknown as SgdStepAttrs;
  return withNativeOps(args.backend, (ops) => {
    const W = ops.input(w);
    const mask = salient && anchor ? { s: ops.input(salient), a: ops.input(anchor), zero: ops.scalar(0) } : undefined;
    let grad = ops.input(g);
    if (weightDecay) grad = ops.op('AddV2', [grad, ops.op('Mul', [W, ops.scalar(weightDecay)])]);
    if (mask) grad = ops.op('SelectV2', [mask.s, grad, mask.zero]);
    let vel = momentum ? ops.op('AddV2', [ops.op('Mul', [ops.input(v), ops.scalar(momentum)]), grad]) : grad;
    let next = ops.op('Sub', [W, ops.op('Mul', [vel, ops.scalar(lr)])]);
    if (mask) {
      next = ops.op('SelectV2', [mask.s, next, mask.a]);
      vel = ops.op('SelectV2', [mask.s, vel, mask.zero]);
    }
    return [ops.adopt(next), ops.adopt(vel)];
  });
}

export const sgdStepConfig: KernelConfig = { kernelName: SGD_STEP_KERNEL, backendName: 'tensorflow', kernelFunc: sgdStepKernel as unknown as KernelFunc };
