// SGD with momentum and weight decay, PyTorch semantics (the paper's recipe):
//   g' = g + wd·w ;  v = μ·v + g' ;  w = w − lr·v
// With a saliency mask, g' is multiplied by the mask, and after every step the non-salient
// weights are restored to θo exactly and their momentum zeroed, so neither weight decay nor
// momentum can move a frozen weight: θu = m ⊙ (Δθ + θo) + (1 − m) ⊙ θo holds bit for bit (docs/method.md).
import { SGD_STEP_KERNEL, type SgdStepAttrs } from '../backend/kernelNames';
import { tf, type T } from '../tf';

export interface SgdOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface WeightMask {
  /** One boolean tensor per variable, same shape: true = salient (may move). */
  salient: T.Tensor[];
  /** θo, one tensor per variable: what non-salient weights are restored to. */
  anchor: T.Tensor[];
}

/**
 * The mask as the optimizer takes it: per variable, the salient bits (1 = may move) as a boolean
 * tensor and a copy of the variable's current value (θo) to restore the others to. The caller
 * disposes both lists (tf.dispose([...m.salient, ...m.anchor])).
 */
export function weightMask(vars: readonly T.Variable[], masks: readonly Uint8Array[]): WeightMask {
  if (masks.length !== vars.length) throw new Error(`mask has ${masks.length} layers for ${vars.length} variables`);
  return {
    salient: vars.map((v, i) => tf.tidy(() => tf.cast(tf.tensor(masks[i], v.shape, 'int32'), 'bool'))),
    anchor: vars.map((v) => tf.clone(v)),
  };
}

export class Sgd {
  private readonly velocity: T.Variable[];

  constructor(
    private readonly vars: T.Variable[],
    public options: SgdOptions,
    private readonly mask?: WeightMask,
  ) {
    // Inside tidy: tf.variable keeps its own reference, so the zeros tensor itself must be released.
    this.velocity = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    if (mask && (mask.salient.length !== vars.length || mask.anchor.length !== vars.length)) {
      throw new Error(`mask has ${mask.salient.length} tensors for ${vars.length} variables`);
    }
  }

  /** Applies one step; `grads[i]` belongs to `vars[i]`. Disposes nothing it was given. */
  step(grads: T.Tensor[]): void {
    if (tf.getKernel(SGD_STEP_KERNEL, tf.getBackend())) {
      this.fusedStep(grads);
      return;
    }
    const { lr, momentum, weightDecay } = this.options;
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        let g = weightDecay ? tf.add(grads[i], tf.mul(w, weightDecay)) : grads[i];
        if (this.mask) g = tf.where(this.mask.salient[i], g, tf.zerosLike(g));
        const v = momentum ? tf.add(tf.mul(this.velocity[i], momentum), g) : g;
        let next = tf.sub(w, tf.mul(v, lr));
        let nextV = v;
        if (this.mask) {
          next = tf.where(this.mask.salient[i], next, this.mask.anchor[i]);
          nextV = tf.where(this.mask.salient[i], v, tf.zerosLike(v));
        }
        w.assign(next);
        if (momentum) this.velocity[i].assign(nextV);
      });
    });
  }

  /** The same step as one kernel per variable (wasm: src/engine/backend/wasm/kernels/SalunSgdStep.ts). */
  private fusedStep(grads: T.Tensor[]): void {
    const attrs: SgdStepAttrs = { ...this.options };
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const inputs: Record<string, T.Tensor> = { w, g: grads[i], v: this.velocity[i] };
        if (this.mask) Object.assign(inputs, { salient: this.mask.salient[i], anchor: this.mask.anchor[i] });
        const [next, nextV] = tf.engine().runKernel<T.Tensor[]>(SGD_STEP_KERNEL, inputs, attrs as never);
        w.assign(next);
        this.velocity[i].assign(nextV);
      });
    });
  }

  dispose(): void {
    this.velocity.forEach((v) => v.dispose());
  }
}
