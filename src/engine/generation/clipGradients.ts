// Gradient clipping by the global norm, torch.nn.utils.clip_grad_norm_'s rule, which the authors'
// DDPM unlearning applies (grad_clip 1.0) before masking and stepping:
//   g ← g · min(1, max / (‖g‖₂ + 1e-6)),  ‖g‖₂ over every weight of the model together.
// The scale stays a tensor: no read back to JavaScript, so no sync per step.
import { tf, type T } from '../tf';
import type { GradientStepper } from './train';

/** The clipped gradients, new tensors; the caller disposes them (and still owns `grads`). */
export function clipByGlobalNorm(grads: T.Tensor[], maxNorm: number): T.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return grads.map((g) => tf.mul(g, scale));
  });
}

/** An optimizer that clips before it steps (maxNorm undefined: no clipping). */
export function clippedStepper(inner: GradientStepper, maxNorm: number | undefined): GradientStepper {
  if (maxNorm === undefined) return inner;
  return {
    step(grads: T.Tensor[]): void {
      const clipped = clipByGlobalNorm(grads, maxNorm);
      try {
        inner.step(clipped);
      } finally {
        tf.dispose(clipped);
      }
    },
  };
}
