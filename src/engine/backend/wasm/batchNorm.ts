// Batch norm in training mode as two kernels on wasm (kernels/SalunBatchNormTrain.ts and its Grad),
// and the layer's route to them. The layer's own training path (tfjs-layers)
// runs moments → batchNorm, and its gradient walks back through every one of those ops: ≈ 10
// full-size passes per layer and step, each a kernel call with a heap allocation. In closed form
// (per channel c over the N values of the reduced axes, s = 1/√(σ² + ε), x̂ = (x − μ)·s):
//   forward   y = γ·x̂ + β
//   backward  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·s/N · (N·dy − dβ − x̂·dγ)
// which is 3 passes forward (mean, variance, y) and 2 back (the two sums, dx). Sums accumulate in
// float64. Only the channels-last layout with every other axis reduced (the built-in CNN's, and
// Keras's default) takes this path; anything else, and every other backend, runs tfjs-layers' code.
// Checked against the layer's own path on the cpu backend, forward, gradients and moving
// statistics, in test/unit/wasmKernels.unit.test.ts, and by finite differences in gradCheck.
import { tf, type T } from '../../tf';
import type { BatchNormRoute } from '../batchNormLayer';
import { WASM_BN_BACKWARD, WASM_BN_FORWARD } from '../kernelNames';
import { registerKernels, unregisterKernels } from '../registerKernels';
import { salunBatchNormTrainConfig } from './kernels/SalunBatchNormTrain';
import { salunBatchNormTrainGradConfig } from './kernels/SalunBatchNormTrainGrad';

/** y, and the batch mean and (biased) variance the layer's moving averages take. */
function batchNormTraining(x: T.Tensor, gamma: T.Tensor, beta: T.Tensor, epsilon: number): { y: T.Tensor; mean: T.Tensor; variance: T.Tensor } {
  let mean: T.Tensor | undefined;
  let variance: T.Tensor | undefined;
  // customGrad's signature is variadic (tensors, then the save function).
  const op = tf.customGrad(((xs: T.Tensor, g: T.Tensor, b: T.Tensor, save: (ts: T.Tensor[]) => void) => {
    const [y, m, v, s] = tf.engine().runKernel<T.Tensor[]>(WASM_BN_FORWARD, { x: xs, gamma: g, beta: b }, { epsilon });
    mean = tf.keep(m);
    variance = tf.keep(v);
    save([xs, g, m, s]);
    return {
      value: y,
      gradFunc: (dy: T.Tensor, saved: T.Tensor[]) => {
        const [sx, sg, sm, ss] = saved;
        return tf.engine().runKernel<T.Tensor[]>(WASM_BN_BACKWARD, { dy, x: sx, gamma: sg, mean: sm, invstd: ss }, {});
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta);
  if (!mean || !variance) throw new Error('batch norm forward kernel returned no statistics');
  return { y, mean, variance };
}

/**
 * Turns the fused path off and on (bench/profile-step.ts measures it against tfjs-layers' own):
 * the layer takes it exactly when the current backend has the forward kernel registered.
 */
export function setFusedBatchNorm(on: boolean): void {
  const pair = [salunBatchNormTrainConfig, salunBatchNormTrainGradConfig];
  if (on) registerKernels(pair);
  else unregisterKernels(pair);
}

/** The layer's training call on wasm: the kernels above, then its own moving-average update (x ← x − (x − batch)·(1 − momentum)). */
export const wasmRoute: BatchNormRoute = {
  kernel: WASM_BN_FORWARD,
  train(layer, x, gamma, beta) {
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, layer.epsilon);
    const decay = 1 - layer.momentum;
    for (const [variable, value] of [
      [layer.movingMean, mean],
      [layer.movingVariance, variance],
    ] as const) {
      const old = variable.read();
      variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
    }
    // Kept out of customGrad's scope on purpose, so no tidy releases them: done with them here.
    tf.dispose([mean, variance]);
    return y;
  },
};
