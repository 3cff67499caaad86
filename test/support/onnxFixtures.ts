// Models for the ONNX export tests: random BN statistics and biases (a fresh model's are 0 and 1,
// which would hide a swapped mean and variance or a missing bias), and a user model that runs every
// exported layer the built-ins do not: depthwise and dilated convs, strided 'same' convs on even
// sizes, a ZeroPadding2D folded into a conv and one before a pool, 'same' pools, nearest
// up-sampling, global average and max pools, Concatenate over channels and over vectors, Add of
// three, Multiply, Maximum, Minimum, Reshape, BatchNorm of a vector, ReLU(6), LeakyReLU, ELU, fused and standalone
// activations (swish, sigmoid, tanh, softmax over channels), Dropout.
import { tf, type T } from '../../src/engine/tf';

/** BatchNorm γ, β, mean and variance and every bias, drawn from `seed`. */
export function randomizeStatistics(model: T.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const shape = w.shape as number[];
      if (short === 'gamma' || short === 'moving_variance') return tf.randomUniform(shape, 0.5, 1.5, 'float32', s++);
      if (short === 'beta' || short === 'moving_mean' || short === 'bias') return tf.randomNormal(shape, 0, 0.2, 'float32', s++);
      return w.read().clone();
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

type Node = T.SymbolicTensor;

export function userModel(): T.LayersModel {
  const input = tf.input({ shape: [12, 12, 3], name: 'image' });
  const a = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'a' }).apply(input) as Node;
  const padded = tf.layers.zeroPadding2d({ padding: 1, name: 'b_pad' }).apply(input) as Node;
  const b = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'sigmoid', name: 'b' }).apply(padded) as Node;
  const ab = tf.layers.multiply({ name: 'ab' }).apply([a, b]) as Node;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b, ab]) as Node;
  const c = tf.layers.minimum({ name: 'c' }).apply([tf.layers.maximum({ name: 'c_max' }).apply([sum, b]) as Node, a]) as Node;
  const d = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'd' }).apply(c) as Node;
  const e = tf.layers.batchNormalization({ epsilon: 1e-3, name: 'e' }).apply(d) as Node;
  const f = tf.layers.reLU({ maxValue: 6, name: 'f' }).apply(e) as Node;
  const g = tf.layers.conv2d({ filters: 16, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'swish', name: 'g' }).apply(f) as Node;
  const gs = tf.layers.activation({ activation: 'softmax', name: 'g_softmax' }).apply(g) as Node;
  const h = tf.layers.concatenate({ axis: -1, name: 'h' }).apply([f, gs]) as Node;
  const i = tf.layers.leakyReLU({ alpha: 0.1, name: 'i' }).apply(h) as Node;
  const j = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: 'j',
    })
    .apply(i) as Node;
  const k = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'k' }).apply(j) as Node;
  const l = tf.layers.upSampling2d({ size: [2, 2], name: 'l' }).apply(k) as Node;
  const m = tf.layers.maxPooling2d({ poolSize: 2, strides: 3, padding: 'same', name: 'm' }).apply(l) as Node;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(m) as Node;
  const gmp = tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(m) as Node;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(m) as Node;
  const dropped = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(flat) as Node;
  const n = tf.layers.dense({ units: 16, activation: 'relu', name: 'n' }).apply(dropped) as Node;
  const vector = tf.layers.reshape({ targetShape: [3 * 3 * 32], name: 'vector' }).apply(m) as Node;
  const o = tf.layers.elu({ name: 'o_elu' }).apply(tf.layers.dense({ units: 8, name: 'o' }).apply(vector)) as Node;
  const p = tf.layers.concatenate({ name: 'p' }).apply([n, o, gap, gmp]) as Node;
  const pn = tf.layers.batchNormalization({ name: 'p_bn' }).apply(p) as Node;
  const q = tf.layers.activation({ activation: 'tanh', name: 'q' }).apply(pn) as Node;
  const logits = tf.layers.dense({ units: 6, name: 'out' }).apply(q) as Node;
  return tf.model({ inputs: input, outputs: logits, name: 'user_cnn' });
}

/** A Sequential model for the rest: even and non-square kernels with 'same', BN without γ and β, more activations. */
export function userSequential(): T.LayersModel {
  return tf.sequential({
    name: 'user_sequential',
    layers: [
      tf.layers.conv2d({ inputShape: [9, 10, 2], filters: 4, kernelSize: 2, padding: 'same', activation: 'relu6', name: 'even' }),
      tf.layers.batchNormalization({ center: false, scale: false, name: 'plain_bn' }),
      tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: [2, 3], padding: 'same', activation: 'hardSigmoid', name: 'odd' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'elu', name: 'pointwise' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid', name: 'pool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 8, activation: 'softplus', name: 'd1' }),
      tf.layers.dense({ units: 8, activation: 'softsign', name: 'd2' }),
      tf.layers.softmax({ name: 'sm' }),
      tf.layers.dense({ units: 5, name: 'logits' }),
    ],
  });
}
