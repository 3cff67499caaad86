// SalUn-soft: RL's objective with a soft pull toward θo instead of the hard saliency mask. After
// every SGD step, θ ← θo + soft(θ − θo, λ·lr), soft(d, τ) = sign(d)·max(|d| − τ, 0): the proximal
// step of λ·‖θ − θo‖₁, so weights whose accumulated change stays below the threshold snap back
// to θo exactly, and only the ones the objective keeps pushing (the forget-relevant ones) move.
// Momentum is left as SGD computed it (proximal SGD with momentum; the threshold acts on θ only).
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { Sgd, type SgdOptions, type WeightMask } from '../train/sgd';
import { runEpochs, type PassPlan } from './epochs';
import type { UnlearnInput } from './input';

export class SoftThresholdSgd extends Sgd {
  constructor(
    private readonly weights: T.Variable[],
    options: SgdOptions,
    private readonly anchor: T.Tensor[],
    public lambda: number,
    private readonly hardMask?: WeightMask,
  ) {
    super(weights, options, hardMask);
  }

  override step(grads: T.Tensor[]): void {
    super.step(grads);
    const tau = this.lambda * this.options.lr;
    if (!tau) return;
    tf.tidy(() => {
      this.weights.forEach((w, i) => {
        const d = tf.sub(w, this.anchor[i]);
        const shrunk = tf.mul(tf.sign(d), tf.relu(tf.sub(tf.abs(d), tau)));
        let next = tf.add(this.anchor[i], shrunk);
        // θo + 0 can differ from θo in its sign bit (−0): frozen weights take θo itself.
        if (this.hardMask) next = tf.where(this.hardMask.salient[i], next, this.hardMask.anchor[i]);
        w.assign(next);
      });
    });
  }
}

/** `plan`: RL's passes and stream, so with λ = 0 this is RL bit for bit. */
export async function salunSoft(u: UnlearnInput, o: { lambda: number }, plan: PassPlan): Promise<void> {
  const vars = trainableVariables(u.clf);
  const anchor = vars.map((v) => tf.clone(v));
  const optimizer = new SoftThresholdSgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, anchor, o.lambda, u.mask);
  try {
    await runEpochs(u, { clf: u.clf, vars, optimizer, train: u.train, ...plan });
  } finally {
    optimizer.dispose();
    tf.dispose(anchor);
  }
}
