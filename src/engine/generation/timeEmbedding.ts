// The sinusoidal timestep embedding of DDPM (Ho et al. 2020, after Vaswani et al. 2017): for
// d = dim and i < d/2, frequency f_i = 10000^(−2i/d), embedding [sin(t·f_0..), cos(t·f_0..)].
// A weightless Layer so that the U-Net takes the raw timestep as an input and its saved model.json
// holds the whole network; registered on import, like GroupNormalization.
import { tf, type T } from '../tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export function timeFrequencies(dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 2 || dim % 2 !== 0) throw new Error(`time embedding width ${dim} must be an even integer ≥ 2`);
  return Float32Array.from({ length: dim / 2 }, (_, i) => Math.pow(10000, (-2 * i) / dim));
}

/** t: [N, 1] timesteps (float) → [N, dim]. */
export function sinusoidalEmbedding(t: T.Tensor, dim: number): T.Tensor2D {
  return tf.tidy(() => {
    const args = tf.mul(tf.reshape(t, [-1, 1]), tf.tensor2d(timeFrequencies(dim), [1, dim / 2]));
    return tf.concat([tf.sin(args), tf.cos(args)], 1) as T.Tensor2D;
  });
}

export interface TimeEmbeddingArgs extends LayerArgs {
  dim: number;
}

export class SinusoidalTimeEmbedding extends tf.layers.Layer {
  static readonly className = 'SinusoidalTimeEmbedding';
  readonly dim: number;

  constructor(args: TimeEmbeddingArgs) {
    super(args);
    timeFrequencies(args.dim);
    this.dim = args.dim;
  }

  override call(inputs: T.Tensor | T.Tensor[]): T.Tensor {
    return sinusoidalEmbedding(Array.isArray(inputs) ? inputs[0] : inputs, this.dim);
  }

  override computeOutputShape(inputShape: T.Shape | T.Shape[]): T.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as T.Shape;
    return [shape[0], this.dim];
  }

  override getConfig(): T.serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim };
  }
}

tf.serialization.registerClass(SinusoidalTimeEmbedding);
