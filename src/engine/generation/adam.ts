// Adam (Kingma & Ba 2015) with PyTorch's semantics and bias correction, the optimizer DDPM training
// and the SalUn authors' generation unlearning use (lr 1e-4), with the same saliency-mask contract
// as train/sgd.ts: masked gradients, and after every step the non-salient weights are restored to
// θo exactly; a masked gradient is 0, so their moments stay 0 and no optimizer state moves them.
//   g' = g + wd·w ;  m = β1·m + (1−β1)·g' ;  v = β2·v + (1−β2)·g'² ;
//   w = w − lr · (m / (1−β1^k)) / (√(v / (1−β2^k)) + ε)
import { tf, type T } from '../tf';
import type { WeightMask } from '../train/sgd';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

export class Adam {
  private readonly m: T.Variable[];
  private readonly v: T.Variable[];
  private k = 0;

  constructor(
    private readonly vars: T.Variable[],
    public options: AdamOptions,
    private readonly mask?: WeightMask,
  ) {
    if (mask && (mask.salient.length !== vars.length || mask.anchor.length !== vars.length)) {
      throw new Error(`mask has ${mask.salient.length} tensors for ${vars.length} variables`);
    }
    this.m = vars.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    this.v = vars.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
  }

  /** Applies one step; `grads[i]` belongs to `vars[i]`. Disposes nothing it was given. */
  step(grads: T.Tensor[]): void {
    const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = this.options;
    this.k += 1;
    const c1 = 1 - beta1 ** this.k;
    const c2 = 1 - beta2 ** this.k;
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        let g = weightDecay ? tf.add(grads[i], tf.mul(w, weightDecay)) : grads[i];
        if (this.mask) g = tf.where(this.mask.salient[i], g, tf.zerosLike(g));
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        let next = tf.sub(w, tf.mul(update, lr));
        if (this.mask) next = tf.where(this.mask.salient[i], next, this.mask.anchor[i]);
        w.assign(next);
        this.m[i].assign(m);
        this.v[i].assign(v);
      });
    });
  }

  dispose(): void {
    [...this.m, ...this.v].forEach((t) => t.dispose());
  }
}
