// ResNet-18 as the SalUn authors train it on CIFAR-10 (Unlearn-Saliency, Classification/models/
// ResNet.py with imagenet=False): a 3×3 stride-1 stem of 64 filters, no max-pool, BasicBlocks
// [2, 2, 2, 2] of widths 64-128-256-512 (stride 2 in the first block of stages 2–4, a 1×1 conv + BN
// projection where the shape changes), global average pooling, one dense layer to the logits.
// 11,173,962 trainable weights for 32×32×3 and 10 classes, the same as PyTorch's
// (bench/architecture-params.py builds it in torch; test/unit/architectures.unit.test.ts compares).
// The authors' parameter-free input normalisation layer is left out, as for the other built-ins.
//
// resnet18Torchvision is torchvision.models.resnet18 with the same blocks and layer names: a 7×7
// stride-2 stem padded by 3, a 3×3 stride-2 max-pool padded by 1, then the same four stages; its
// state_dict keys are the authors' minus their normalisation buffers.
//
// Strided 3×3 convolutions pad explicitly by one pixel on every side and then run 'valid', because
// TensorFlow's 'same' puts the odd padding pixel only at the bottom/right on even inputs: the
// sampled pixels would differ from PyTorch's padding=1 (for 32×32, every strided conv would be
// shifted by one pixel), and a checkpoint converted from the authors' would not predict the same.
import { tf, type T } from '../tf';
import type { InputShape } from './architectures';
import { kaimingNormalFanOut, seedSequence, torchLinearUniform } from './torchInit';

type Node = T.SymbolicTensor;

interface Ctx {
  nextSeed: () => number;
}

/** PyTorch's Conv2d(padding=(kernelSize - 1) / 2, bias=False): 'same' only where TF pads the same way (stride 1). */
function conv(ctx: Ctx, x: Node, filters: number, kernelSize: 1 | 3 | 7, stride: 1 | 2, name: string): Node {
  const pad = (kernelSize - 1) / 2;
  const padded = pad > 0 && stride === 2 ? (tf.layers.zeroPadding2d({ padding: pad, name: `${name}_pad` }).apply(x) as Node) : x;
  return tf.layers
    .conv2d({
      filters,
      kernelSize,
      strides: stride,
      useBias: false,
      name,
      padding: pad > 0 && stride === 1 ? 'same' : 'valid',
      kernelInitializer: kaimingNormalFanOut(kernelSize, filters, ctx.nextSeed()),
    })
    .apply(padded) as Node;
}

/** PyTorch's BatchNorm2d defaults: ε 1e-5, running averages with momentum 0.1 (Keras: 0.9). */
function bn(x: Node, name: string): Node {
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as Node;
}

function relu(x: Node, name: string): Node {
  return tf.layers.reLU({ name }).apply(x) as Node;
}

/** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), shortcut = bn(conv1×1(x)) when the shape changes. */
function basicBlock(ctx: Ctx, x: Node, filters: number, stride: 1 | 2, name: string): Node {
  const inChannels = x.shape[x.shape.length - 1];
  let out = relu(bn(conv(ctx, x, filters, 3, stride, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
  out = bn(conv(ctx, out, filters, 3, 1, `${name}_conv2`), `${name}_bn2`);
  const shortcut = stride !== 1 || inChannels !== filters ? bn(conv(ctx, x, filters, 1, stride, `${name}_downsample_conv`), `${name}_downsample_bn`) : x;
  const sum = tf.layers.add({ name: `${name}_add` }).apply([out, shortcut]) as Node;
  return relu(sum, `${name}_relu2`);
}

/** The four stages, global average pooling and the dense layer, after either stem. */
function stagesAndHead(ctx: Ctx, input: Node, stem: Node, s: InputShape, name: string): T.LayersModel {
  let x = stem;
  [64, 128, 256, 512].forEach((filters, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      x = basicBlock(ctx, x, filters, stride, `layer${stage + 1}_${block}`);
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Node;
  const logits = tf.layers
    .dense({
      units: s.numClasses,
      name: 'fc',
      kernelInitializer: torchLinearUniform(512, ctx.nextSeed()),
      biasInitializer: torchLinearUniform(512, ctx.nextSeed()),
    })
    .apply(x) as Node;
  return tf.model({ inputs: input, outputs: logits, name });
}

export function resnet18(s: InputShape, seed: number): T.LayersModel {
  const ctx: Ctx = { nextSeed: seedSequence(seed) };
  const input = tf.input({ shape: [s.height, s.width, s.channels], name: 'input' });
  const stem = relu(bn(conv(ctx, input, 64, 3, 1, 'conv1'), 'bn1'), 'relu1');
  return stagesAndHead(ctx, input, stem, s, 'salun_resnet18');
}

/**
 * torchvision's ImageNet stem. MaxPool2d(3, 2, padding=1) pads with −∞; zero padding is the same
 * here because the pool follows a ReLU: every window holds a real value ≥ 0, so a padded 0 never wins.
 */
export function resnet18Torchvision(s: InputShape, seed: number): T.LayersModel {
  const ctx: Ctx = { nextSeed: seedSequence(seed) };
  const input = tf.input({ shape: [s.height, s.width, s.channels], name: 'input' });
  let x = relu(bn(conv(ctx, input, 64, 7, 2, 'conv1'), 'bn1'), 'relu1');
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'maxpool_pad' }).apply(x) as Node;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }).apply(x) as Node;
  return stagesAndHead(ctx, input, x, s, 'salun_resnet18_torchvision');
}
