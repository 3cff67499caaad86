// PyTorch's initialisations for the paper's networks, so that a fresh ResNet-18 or VGG-16 starts
// from the same distributions as the SalUn authors' (models/ResNet.py, models/VGG.py):
// - conv: kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2/(kh·kw·out)), NOT truncated
//   (tfjs's varianceScaling 'normal' is a truncated normal, whose spread is ≈ 0.88 of the asked one);
// - linear: nn.Linear's default kaiming_uniform_(a=√5), i.e. U(±1/√in).
// Every layer draws from its own seed, so one model seed fixes every weight.
import { tf } from '../tf';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Hands out seed, seed + 1, … one per layer, in construction order. */
export function seedSequence(seed: number): () => number {
  let next = seed;
  return () => next++;
}

export function kaimingNormalFanOut(kernelSize: number, filters: number, seed: number): Initializer {
  return tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / (kernelSize * kernelSize * filters)), seed });
}

export function torchLinearUniform(inputUnits: number, seed: number): Initializer {
  const limit = 1 / Math.sqrt(inputUnits);
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
}
