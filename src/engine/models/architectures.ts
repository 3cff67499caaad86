// Built-in classifiers. All output logits (no softmax layer): the losses apply log-softmax
// themselves, which is numerically safer than log(softmax). cnn and mlp are here; the paper's
// networks have a file each (resnet18.ts, vgg16bn.ts).
import type { ArchitectureName } from '../../protocol/config';
import { tf, type T } from '../tf';
import { resnet18, resnet18Torchvision } from './resnet18';
import { vgg16Bn } from './vgg16bn';

export interface InputShape {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/**
 * conv-bn-relu ×3 with stride 2 (28→14→7→4), dense 128, dense C: ≈156k weights for 28×28×1.
 * Strided convolutions instead of max-pooling keep it cheap on the wasm backend.
 */
function smallCnn(s: InputShape, seed: number): T.LayersModel {
  const init = (k: number): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: seed + k });
  const layers: T.layers.Layer[] = [];
  const widths = [16, 32, 64];
  widths.forEach((filters, i) => {
    layers.push(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [s.height, s.width, s.channels] } : {}),
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(i),
        name: `conv${i + 1}`,
      }),
    );
    // Momentum 0.9 (PyTorch's 0.1): Keras's 0.99 lags far behind during short training runs.
    layers.push(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `bn${i + 1}` }));
    layers.push(tf.layers.reLU({ name: `relu${i + 1}` }));
  });
  layers.push(tf.layers.flatten({ name: 'flatten' }));
  layers.push(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(10), name: 'fc1' }));
  layers.push(tf.layers.dense({ units: s.numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 11 }), name: 'logits' }));
  return tf.sequential({ layers, name: 'salun_cnn' });
}

/** 784 → 256 → 128 → C: ≈235k weights for 28×28×1. */
function mlp(s: InputShape, seed: number): T.LayersModel {
  return tf.sequential({
    name: 'salun_mlp',
    layers: [
      tf.layers.flatten({ inputShape: [s.height, s.width, s.channels], name: 'flatten' }),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), name: 'fc1' }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }), name: 'fc2' }),
      tf.layers.dense({ units: s.numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: 'logits' }),
    ],
  });
}

const BUILDERS = {
  cnn: smallCnn,
  mlp,
  resnet18,
  'vgg16-bn': vgg16Bn,
  'resnet18-torchvision': resnet18Torchvision,
} satisfies Record<ArchitectureName, (shape: InputShape, seed: number) => T.LayersModel>;

export function buildArchitecture(name: ArchitectureName, shape: InputShape, seed: number): T.LayersModel {
  return BUILDERS[name](shape, seed);
}
