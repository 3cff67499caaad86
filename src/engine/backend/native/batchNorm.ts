// Batch norm in training mode on the native `tensorflow` backend as TensorFlow's own fused ops:
// FusedBatchNormV3 (is_training) forward and FusedBatchNormGradV3 backward, one TF op each way,
// in place of tfjs-layers' moments → batchNorm chain and the ≈ 25 kernel calls of its gradient.
// Same closed form as wasmBatchNorm.ts (per channel over the N reduced values, s = 1/√(σ² + ε)):
//   y = γ·(x − μ)·s + β ;  dβ = Σ dy ;  dγ = Σ dy·x̂ ;  dx = γ·s/N · (N·dy − dβ − x̂·dγ)
// Differences from the layer's own path, both within float32 rounding: TF sums in float32 (ours
// on wasm: float64; tfjs-layers: float32 too), and the biased batch variance the moving average
// takes is TF's Bessel-corrected output times (N − 1)/N (TF returns σ²·N/(N − 1) for its running
// variance; its reserve outputs hold σ² on the CPU but 1/√(σ² + ε) under cuDNN, so they are passed
// to the gradient op untouched and never read here).
// The layer's moving averages are updated inside the forward kernel, with the same float32 ops.
// The layer is routed here in training mode when the current backend has these kernels, its input
// is float32 with channels last and it has both γ and β; anything else runs tfjs-layers' code.
import { tf, type T } from '../../tf';
import type { BatchNormRoute } from '../batchNormLayer';
import { NATIVE_BN_BACKWARD, NATIVE_BN_FORWARD } from '../kernelNames';
import type { NativeHandle, NativeOps } from './ops';

/** FusedBatchNorm*V3 take 4-D NHWC: any channels-last tensor is [rows, 1, 1, C] to them. */
export function as4d(ops: NativeOps, h: NativeHandle): NativeHandle {
  if (h.shape.length === 4) return h;
  const C = h.shape[h.shape.length - 1];
  return ops.reshape(h, [h.shape.reduce((a, b) => a * b, 1) / C, 1, 1, C]);
}

export function bnAttrs(ops: NativeOps, epsilon: number): ReturnType<NativeOps['attr']>[] {
  return [
    ops.type('T'),
    ops.type('U'),
    ops.attr('epsilon', epsilon, 'float'),
    ops.attr('data_format', 'NHWC', 'string'),
    ops.attr('is_training', true, 'bool'),
  ];
}

interface Moving {
  movingMean: T.Tensor;
  movingVariance: T.Tensor;
}

/** y with TF's gradient, and the layer's next moving mean and variance. */
function batchNormTraining(x: T.Tensor, gamma: T.Tensor, beta: T.Tensor, old: Moving, epsilon: number, momentum: number): { y: T.Tensor } & Moving {
  let next: Moving | undefined;
  // customGrad's signature is variadic (tensors, then the save function).
  const op = tf.customGrad(((xs: T.Tensor, g: T.Tensor, b: T.Tensor, save: (ts: T.Tensor[]) => void) => {
    const [y, m, v, r1, r2, r3] = tf.engine().runKernel<T.Tensor[]>(NATIVE_BN_FORWARD, { x: xs, gamma: g, beta: b, ...old }, { epsilon, momentum });
    next = { movingMean: tf.keep(m), movingVariance: tf.keep(v) };
    save([xs, g, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: T.Tensor, saved: T.Tensor[]) => {
        const [sx, sg, s1, s2, s3] = saved;
        return tf.engine().runKernel<T.Tensor[]>(NATIVE_BN_BACKWARD, { dy, x: sx, gamma: sg, r1: s1, r2: s2, r3: s3 }, { epsilon });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta);
  if (!next) throw new Error('batch norm forward kernel returned no moving statistics');
  return { y, ...next };
}

/** The layer's training call on tensorflow: the moving-average update happens inside the forward kernel. */
export const nativeRoute: BatchNormRoute = {
  kernel: NATIVE_BN_FORWARD,
  train(layer, x, gamma, beta) {
    const old = { movingMean: layer.movingMean.read(), movingVariance: layer.movingVariance.read() };
    const { y, movingMean, movingVariance } = batchNormTraining(x, gamma, beta, old, layer.epsilon, layer.momentum);
    layer.movingMean.write(movingMean);
    layer.movingVariance.write(movingVariance);
    // Kept out of customGrad's scope on purpose, so no tidy releases them: written, done with them.
    tf.dispose([movingMean, movingVariance]);
    return y;
  },
};
