// Group normalization (Wu & He, ECCV 2018) over NHWC, as the DDPM U-Net uses it (Ho et al. 2020):
// for each sample and each of G groups of C/G adjacent channels, normalise by the mean and
// (population) variance over H, W and the group's channels, then scale and shift per channel:
//   x̂ = (x − μ_g) / √(σ²_g + ε),   y = γ_c · x̂ + β_c.
// tfjs has no GroupNorm, so this is a tf.customGrad with the closed-form gradient; autodiff through
// the composed forward would record ~15 ops per call, this records one. Over the M = H·W·C/G values
// of a group, with g = dy·γ (the derivation of layer norm's backward, same set of values):
//   dx = (g − mean_g(g) − x̂ · mean_g(g ⊙ x̂)) / √(σ²_g + ε),   dγ = Σ_{n,h,w} dy ⊙ x̂,   dβ = Σ_{n,h,w} dy.
// ε sits inside the root in both passes, so the formula is exact, not an ε → 0 approximation.
// Held to central finite differences of a float64 reference in test/unit/generationGroupNorm.
import { tf, type T } from '../tf';

/** PyTorch's nn.GroupNorm default (the SalUn authors' DDPM is a PyTorch port). */
export const GROUP_NORM_EPSILON = 1e-5;

/**
 * Per sample and group, the mean of `t` over H, W and the group's channels, broadcast back to
 * [N, 1, 1, C]. Every channel holds H·W values, so the mean of the channel means is the group's.
 * Only 2-D/3-D reductions and a tile: no rank-5 tensors, which some backends transpose slowly.
 */
function groupMean(t: T.Tensor4D, groups: number): T.Tensor4D {
  const [n, , , c] = t.shape;
  const perChannel = tf.mean(t, [1, 2]);
  const perGroup = tf.mean(tf.reshape(perChannel, [n, groups, c / groups]), 2, true);
  return tf.reshape(tf.tile(perGroup, [1, 1, c / groups]), [n, 1, 1, c]);
}

export function checkGroups(channels: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new Error(`group norm: ${channels} channels cannot be split into ${groups} equal groups`);
  }
}

/** y = γ ⊙ x̂ + β for x: [N, H, W, C], γ and β: [C]. */
export function groupNorm(x: T.Tensor4D, gamma: T.Tensor1D, beta: T.Tensor1D, groups: number, epsilon = GROUP_NORM_EPSILON): T.Tensor4D {
  checkGroups(x.shape[3], groups);
  const op = tf.customGrad((...args: Array<T.Tensor | ((ts: T.Tensor[]) => void)>) => {
    const [xs, g, b] = args as T.Tensor[];
    const save = args[3] as (ts: T.Tensor[]) => void;
    const x4 = xs as T.Tensor4D;
    const centered = tf.sub(x4, groupMean(x4, groups));
    const rstd = tf.rsqrt(tf.add(groupMean(tf.square(centered) as T.Tensor4D, groups), epsilon));
    const xhat = tf.mul<T.Tensor4D>(centered, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add<T.Tensor4D>(tf.mul(xhat, g), b),
      gradFunc: (dy: T.Tensor, saved: T.Tensor[]): T.Tensor[] => {
        const [xh, rs, gm] = saved as [T.Tensor4D, T.Tensor4D, T.Tensor1D];
        const gx = tf.mul<T.Tensor4D>(dy, gm);
        const dx = tf.mul(rs, tf.sub(tf.sub(gx, groupMean(gx, groups)), tf.mul(xh, groupMean(tf.mul<T.Tensor4D>(gx, xh), groups))));
        return [dx, tf.sum(tf.mul(dy, xh), [0, 1, 2]), tf.sum(dy, [0, 1, 2])];
      },
    };
  });
  return op(x, gamma, beta);
}
