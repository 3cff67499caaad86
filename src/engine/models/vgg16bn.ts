// VGG-16 with batch norm as the SalUn authors train it on CIFAR-10 (Unlearn-Saliency,
// Classification/models/VGG.py, cfg 'D'): 13 conv3×3 (no bias) + BN + ReLU in blocks of
// 2-2-3-3-3 with 64-128-256-512-512 filters, a 2×2 max-pool after each of the first FOUR blocks
// (cfg 'D' there has no pool after the fifth), AdaptiveAvgPool2d((2, 2)), and their small CIFAR
// head 2048 → 256 → ReLU → 256 → ReLU → C (not torchvision's 4096-wide ImageNet head).
// 15,311,818 trainable weights for 32×32×3 and 10 classes, the same as PyTorch's
// (bench/architecture-params.py). Initialisation as theirs: kaiming-normal (fan-out) convs, linear
// weights N(0, 0.01²) and zero biases. Their parameter-free input normalisation is left out.
import { UserError } from '../../store/errors';
import { tf, type T } from '../tf';
import type { InputShape } from './architectures';
import { kaimingNormalFanOut, seedSequence } from './torchInit';

const BLOCKS: readonly number[][] = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
];

/**
 * AdaptiveAvgPool2d to 2 cells along one axis of size f, as PyTorch computes its windows
 * ([⌊i·f/2⌋, ⌈(i+1)·f/2⌉) for cell i): f = 1 repeats the one value; otherwise a window of ⌈f/2⌉
 * at a stride of ⌊f/2⌋ (overlapping by one row when f is odd).
 */
function adaptiveAxis(f: number): { repeat: number; pool: number; stride: number } {
  return f === 1 ? { repeat: 2, pool: 1, stride: 1 } : { repeat: 1, pool: Math.ceil(f / 2), stride: Math.floor(f / 2) };
}

function adaptiveAvgPoolTo2x2(height: number, width: number): T.layers.Layer[] {
  const h = adaptiveAxis(height);
  const w = adaptiveAxis(width);
  const layers: T.layers.Layer[] = [];
  if (h.repeat > 1 || w.repeat > 1) layers.push(tf.layers.upSampling2d({ size: [h.repeat, w.repeat], name: 'avgpool_repeat' }));
  if (h.pool > 1 || w.pool > 1) {
    layers.push(tf.layers.averagePooling2d({ poolSize: [h.pool, w.pool], strides: [h.stride, w.stride], padding: 'valid', name: 'avgpool' }));
  }
  return layers;
}

export function vgg16Bn(s: InputShape, seed: number): T.LayersModel {
  // Four floor-halving max-pools: below 16 pixels a side nothing is left to pool.
  const finalH = Math.floor(s.height / 16);
  const finalW = Math.floor(s.width / 16);
  if (finalH < 1 || finalW < 1) {
    throw new UserError(
      `vgg16-bn needs images of at least 16×16 pixels (four 2×2 max-pools); the data is ${s.height}×${s.width}.`,
      'Use resnet18, cnn or mlp for smaller images.',
    );
  }
  const nextSeed = seedSequence(seed);
  const layers: T.layers.Layer[] = [];
  let n = 0;
  BLOCKS.forEach((widths, b) => {
    for (const filters of widths) {
      n++;
      layers.push(
        tf.layers.conv2d({
          ...(n === 1 ? { inputShape: [s.height, s.width, s.channels] } : {}),
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          name: `conv${n}`,
          kernelInitializer: kaimingNormalFanOut(3, filters, nextSeed()),
        }),
      );
      layers.push(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `bn${n}` }));
      layers.push(tf.layers.reLU({ name: `relu${n}` }));
    }
    if (b < 4) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `pool${b + 1}` }));
  });
  layers.push(...adaptiveAvgPoolTo2x2(finalH, finalW), tf.layers.flatten({ name: 'flatten' }));
  const linear = (units: number, name: string, activation?: 'relu'): T.layers.Layer =>
    tf.layers.dense({
      units,
      name,
      ...(activation ? { activation } : {}),
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: nextSeed() }),
    });
  layers.push(linear(256, 'fc1', 'relu'), linear(256, 'fc2', 'relu'), linear(s.numClasses, 'logits'));
  return tf.sequential({ layers, name: 'salun_vgg16_bn' });
}
