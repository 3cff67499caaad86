// Nearest-neighbour ×2 upsampling with its own gradient: each input pixel is copied to a 2×2
// block, so its gradient is the sum of dy over that block, i.e. 4 · avgPool(dy, 2×2, stride 2).
// Not tfjs-layers' UpSampling2D: its gradient kernel on the cpu backend (tfjs-backend-cpu 4.22,
// ResizeNearestNeighborGrad) offsets dy by the INPUT's batch stride, so every sample after the first
// gets a wrong gradient (found by test/unit/generationGradients; wasm's kernel is right). AvgPool is
// a plain forward kernel on every backend, and one op is cheaper than the resize gradient anyway.
// A weightless Layer, registered on import like GroupNormalization.
import { tf, type T } from '../tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export function upsampleNearest2x(x: T.Tensor4D): T.Tensor4D {
  const op = tf.customGrad((...args: Array<T.Tensor | ((ts: T.Tensor[]) => void)>) => {
    const xs = args[0] as T.Tensor4D;
    const [, h, w] = xs.shape;
    return {
      value: tf.image.resizeNearestNeighbor(xs, [2 * h, 2 * w]),
      gradFunc: (dy: T.Tensor): T.Tensor => tf.mul(tf.avgPool(dy as T.Tensor4D, 2, 2, 'valid'), 4),
    };
  });
  return op(x) as T.Tensor4D;
}

export class NearestUpsampling2x extends tf.layers.Layer {
  static readonly className = 'NearestUpsampling2x';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override call(inputs: T.Tensor | T.Tensor[]): T.Tensor {
    return upsampleNearest2x((Array.isArray(inputs) ? inputs[0] : inputs) as T.Tensor4D);
  }

  override computeOutputShape(inputShape: T.Shape | T.Shape[]): T.Shape {
    const [n, h, w, c] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as T.Shape;
    return [n, h === null ? null : 2 * h, w === null ? null : 2 * w, c];
  }
}

tf.serialization.registerClass(NearestUpsampling2x);
