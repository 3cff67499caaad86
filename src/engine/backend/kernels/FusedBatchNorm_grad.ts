// A gradient for FusedBatchNorm that broadcasts instead of materialising `tile` copies of the
// per-channel statistics (tfjs's own does, and Tile dominated a CNN training step on wasm).
// Pure math on public ops, so it is registered for every backend; comparing wasm with cpu cannot
// see a mistake in it, so test/unit/gradCheck.unit.test.ts holds it to float64 finite differences.
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../tf';

/** Sums `t` over the axes along which `shape` was broadcast to t's shape, and reshapes to `shape`. */
function reduceTo(t: Tensor, shape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  return tf.reshape(axes.length ? tf.sum(t, axes) : t, shape);
}

function batchNormGrad(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const g = dy as Tensor;
  const [x, mean, variance, scale] = saved;
  const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  const inv = tf.rsqrt(tf.add(variance, eps));
  const centred = tf.sub(x, mean);
  const gScaled = scale == null ? g : tf.mul(g, scale);
  return {
    x: () => tf.mul(gScaled, inv),
    mean: () => reduceTo(tf.neg(tf.mul(gScaled, inv)), mean.shape),
    variance: () => reduceTo(tf.mul(tf.mul(gScaled, centred), tf.mul(tf.pow(inv, 3), -0.5)), mean.shape),
    scale: () => reduceTo(tf.mul(g, tf.mul(centred, inv)), mean.shape),
    offset: () => reduceTo(g, mean.shape),
  };
}

/** Replaces tfjs's own FusedBatchNorm gradient. */
export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: batchNormGrad,
};
