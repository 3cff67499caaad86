// Kernels for the native `tensorflow` backend that cut a training step's tfjs kernel calls, each
// a few TF ops through the binding (nativeOps.ts) inside ONE tfjs kernel call:
// - Step (ReLU's and fused-matMul-ReLU's gradient mask): tfjs-node builds it from seven tfjs ops,
//   two of them full-size constant fills made in JS; here Greater, SelectV2, IsNan, SelectV2 with
//   broadcast scalars. Same values, NaN included.
// - ReLU's gradient as TF's ReluGrad (dy·[x > 0], one op) instead of dy·cast(step(x)): registered as
//   a gradient for every backend that runs SalunReluGrad when the current backend has it and
//   tfjs's own formula otherwise. It differs only where the pre-activation is NaN (0, not NaN), a
//   step whose loss is NaN already.
// - The SGD step of src/engine/train/sgd.ts (SGD_STEP_KERNEL): the same TF ops, in the same order,
//   as the plain tfjs path (Mul, AddV2, SelectV2, Sub), so bit-identical; one call per variable.
// - Batch norm in training mode: nativeBatchNorm.ts.
// Checked against the cpu backend in test/backends/tensorflow.backend.test.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf';
import { installNativeBatchNorm } from './batchNorm';
import { withNativeOps } from './ops';
import { SGD_STEP_KERNEL, type SgdStepAttrs } from '../wasm/kernels/SalunSgdStep';

const BACKEND = 'tensorflow';
export const RELU_GRAD_KERNEL = 'SalunReluGrad';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

function stepKernel(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return original(args);
    const { alpha } = args.attrs as unknown as { alpha: number };
    return withNativeOps(args.backend, (ops) => {
      const xh = ops.input(x);
      const positive = ops.op('Greater', [xh, ops.scalar(0)]);
      const stepped = ops.op('SelectV2', [positive, ops.scalar(1), ops.scalar(alpha)]);
      return ops.adopt(ops.op('SelectV2', [ops.op('IsNan', [xh]), xh, stepped]));
    });
  };
}

function reluGradKernel(args: Args): Tensor {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  return withNativeOps(args.backend, (ops) => ops.adopt(ops.op('ReluGrad', [ops.input(dy), ops.input(x)])));
}

function reluGrad(dy: Tensor | Tensor[], saved: Tensor[]): Record<string, () => Tensor> {
  const [x] = saved;
  const g = dy as Tensor;
  if (x.dtype === 'float32' && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend())) {
    return { x: () => tf.engine().runKernel<Tensor>(RELU_GRAD_KERNEL, { dy: g, x }, {}) };
  }
  return { x: () => tf.mul(g, tf.cast(tf.step(x), 'float32')) };
}

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

function register(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Registers the kernels above for `tensorflow` and ReLU's gradient; call after tfjs-node has
 * registered its own. Idempotent: SalunReluGrad being registered means all of it is.
 */
export function installNativeKernels(): void {
  if (tf.getKernel(RELU_GRAD_KERNEL, BACKEND)) return;
  const step = tf.getKernel('Step', BACKEND);
  if (!step) throw new Error("tfjs-node's kernels are not registered (load it with startNative first)");
  register({ kernelName: 'Step', backendName: BACKEND, kernelFunc: stepKernel(step.kernelFunc) });
  register({ kernelName: SGD_STEP_KERNEL, backendName: BACKEND, kernelFunc: sgdStepKernel as unknown as KernelFunc });
  installNativeBatchNorm();
  if (tf.getGradient('Relu')?.gradFunc !== reluGrad) tf.registerGradient({ kernelName: 'Relu', inputsToSave: ['x'], gradFunc: reluGrad });
  // Last: its presence is the "installed" mark above.
  register({ kernelName: RELU_GRAD_KERNEL, backendName: BACKEND, kernelFunc: reluGradKernel as unknown as KernelFunc });
}
