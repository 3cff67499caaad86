// ReLU's gradient, registered for every backend (a gradient has no backend): SalunReluGrad when the
// current backend has it (tensorflow), tfjs's own formula otherwise. It differs from tfjs's only
// where the pre-activation is NaN (0, not NaN), a step whose loss is NaN already.
import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../../tf';
import { RELU_GRAD_KERNEL } from '../../kernelNames';

function reluGrad(dy: Tensor | Tensor[], saved: Tensor[]): Record<string, () => Tensor> {
  const [x] = saved;
  const g = dy as Tensor;
  if (x.dtype === 'float32' && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend())) {
    return { x: () => tf.engine().runKernel<Tensor>(RELU_GRAD_KERNEL, { dy: g, x }, {}) };
  }
  return { x: () => tf.mul(g, tf.cast(tf.step(x), 'float32')) };
}

export const reluGradConfig: GradConfig = { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: reluGrad };
