// ℓ1-sparse unlearning (Jia et al., NeurIPS 2023): fine-tune on Dr with CE + α_t·‖θ‖₁, α_t
// decaying linearly over the epochs. The penalty is added to the gradient (its subgradient
// α_t·sign(θ), 0 at 0, as autograd of |θ| gives) before the optimizer step, so a saliency mask,
// momentum and weight decay treat it exactly like the CE gradient.
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { Sgd, type SgdOptions, type WeightMask } from '../train/sgd';
import { runEpochs, type PassPlan } from './epochs';
import type { UnlearnInput } from './input';

/**
 * α at epoch t (1-based) of E: alpha·(1 − (t−1)/E), the authors' schedule (FT.py, 0-based epoch e:
 * alpha·(1 − e/E)). It falls by alpha/E per epoch and reaches 0 where the next epoch would start.
 */
export function l1AlphaAt(alpha: number, epoch: number, epochs: number): number {
  return Math.max(0, alpha * (1 - (epoch - 1) / epochs));
}

/** SGD on loss + alpha·‖θ‖₁ over every trainable variable (the authors' penalty covers all parameters). */
export class L1Sgd extends Sgd {
  alpha = 0;

  constructor(
    private readonly weights: T.Variable[],
    options: SgdOptions,
    mask?: WeightMask,
  ) {
    super(weights, options, mask);
  }

  override step(grads: T.Tensor[]): void {
    if (!this.alpha) {
      super.step(grads);
      return;
    }
    const penalised = tf.tidy(() => grads.map((g, i) => tf.add(g, tf.mul(tf.sign(this.weights[i]), this.alpha))));
    try {
      super.step(penalised);
    } finally {
      tf.dispose(penalised);
    }
  }
}

/** `plan`: FT's passes and stream, so with α = 0 this is FT bit for bit. */
export async function l1Sparse(u: UnlearnInput, o: { alpha: number }, plan: PassPlan): Promise<void> {
  const vars = trainableVariables(u.clf);
  const optimizer = new L1Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  try {
    await runEpochs(u, {
      clf: u.clf,
      vars,
      optimizer,
      train: u.train,
      ...plan,
      beforeEpoch: (epoch) => {
        optimizer.alpha = l1AlphaAt(o.alpha, epoch, u.recipe.epochs);
      },
    });
  } finally {
    optimizer.dispose();
  }
}
