// A small class-conditional U-Net for ε-prediction (Ho et al. 2020, with classifier-free guidance's
// learned null class, Ho & Salimans 2022), sized for 28×28×1 and 32×32×3 on a CPU.
//
// Built with tfjs-layers' functional API rather than as a function of loose variables: it is then
// a plain LayersModel, so models/io.ts saves, loads and clones it (θo must survive unlearning), the
// model cache hashes it like a classifier, and `model.trainableWeights` is the same ordered
// tf.Variable list that saliency/scores.ts, store/saliency/mask.ts and train/sgd.ts already work on.
// GroupNorm, the time embedding and ×2 upsampling are its custom layers (registered on import;
// upsample.ts says why tfjs's own UpSampling2D is not used).
//
// Inputs: image [N, H, W, C] (data scaled to [−1, 1]), timestep [N, 1] (t in 1..T as a float),
// class [N, K+1] one-hot (column K is the null class: unconditional). The class input is one-hot
// into a bias-free dense layer — an embedding lookup by another name — because tfjs's Embedding
// layer differentiates through UnsortedSegmentSum, which the wasm backend lacks.
//
// Layout for widths [w0, w1, w2] (28 → 14 → 7): conv3×3 → [resblock(w_i), skip, stride-2 conv] per
// level above the bottom → resblock(w_last) at the bottom → per level back up: nearest ×2, conv,
// concat the skip, resblock(w_i) → GroupNorm → SiLU → conv3×3 to C channels. A resblock is
// GN → SiLU → conv → + dense(SiLU(emb)) per channel → GN → SiLU → conv, plus the input (1×1 conv
// when the width changes). emb = MLP(sinusoid(t)) + dense(one-hot class).
import { tf, type T } from '../tf';
import { groupNormalization } from './groupNormLayer';
import { SinusoidalTimeEmbedding } from './timeEmbedding';
import { NearestUpsampling2x } from './upsample';

export interface UnetConfig {
  height: number;
  width: number;
  channels: number;
  /** Real classes K; the null (unconditional) class is index K. */
  numClasses: number;
  /** Channels per resolution, highest first; each level below the first halves H and W. */
  widths: number[];
  /** GroupNorm groups; every width must be a multiple. */
  groups: number;
  /** Width of the time/class embedding. */
  embedDim: number;
  seed: number;
}

/** Suggested sizes for 28×28×1 and 32×32×3 data: ≈457k weights (widths [16, 32, 32]: ≈138k). */
export const DEFAULT_UNET = { widths: [32, 64, 64], groups: 8, embedDim: 128 } as const;

export const UNET_INPUTS = { image: 'image', timestep: 'timestep', class: 'class' } as const;

type Sym = T.SymbolicTensor;

/** Seeded initializers per layer, so that one seed rebuilds the same θ on every backend. */
class Inits {
  private k = 0;
  constructor(private readonly seed: number) {}
  conv(): ReturnType<typeof tf.initializers.heNormal> {
    return tf.initializers.heNormal({ seed: this.seed + this.k++ });
  }
  dense(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.seed + this.k++ });
  }
}

function checkConfig(c: UnetConfig): void {
  const levels = c.widths.length;
  if (levels < 2) throw new Error('the U-Net needs at least two resolutions');
  const scale = 2 ** (levels - 1);
  if (c.height % scale !== 0 || c.width % scale !== 0) {
    throw new Error(`${c.height}×${c.width} cannot be halved ${levels - 1} times: choose fewer widths or pad the images`);
  }
  for (const w of c.widths) if (w % c.groups !== 0) throw new Error(`width ${w} is not a multiple of ${c.groups} groups`);
  if (c.numClasses < 1) throw new Error('a class-conditional model needs at least one class');
}

function conv(init: Inits, filters: number, name: string, kernelSize = 3, strides = 1): T.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: init.conv(), name });
}

const silu = (name: string): T.layers.Layer => tf.layers.activation({ activation: 'swish', name });

function resBlock(x: Sym, embAct: Sym, width: number, groups: number, init: Inits, name: string): Sym {
  const inWidth = x.shape[3] as number;
  let h = groupNormalization({ groups, name: `${name}_gn1` }).apply(x) as Sym;
  h = silu(`${name}_silu1`).apply(h) as Sym;
  h = conv(init, width, `${name}_conv1`).apply(h) as Sym;
  const e = tf.layers.dense({ units: width, kernelInitializer: init.dense(), name: `${name}_emb` }).apply(embAct) as Sym;
  const e4 = tf.layers.reshape({ targetShape: [1, 1, width], name: `${name}_emb_hw` }).apply(e) as Sym;
  h = tf.layers.add({ name: `${name}_add_emb` }).apply([h, e4]) as Sym;
  h = groupNormalization({ groups, name: `${name}_gn2` }).apply(h) as Sym;
  h = silu(`${name}_silu2`).apply(h) as Sym;
  h = conv(init, width, `${name}_conv2`).apply(h) as Sym;
  const skip = inWidth === width ? x : (conv(init, width, `${name}_skip`, 1).apply(x) as Sym);
  return tf.layers.add({ name: `${name}_out` }).apply([skip, h]) as Sym;
}

function embedding(t: Sym, c: Sym, cfg: UnetConfig, init: Inits): Sym {
  let te = new SinusoidalTimeEmbedding({ dim: cfg.widths[0], name: 'time_sinusoid' }).apply(t) as Sym;
  te = tf.layers.dense({ units: cfg.embedDim, activation: 'swish', kernelInitializer: init.dense(), name: 'time_mlp1' }).apply(te) as Sym;
  te = tf.layers.dense({ units: cfg.embedDim, kernelInitializer: init.dense(), name: 'time_mlp2' }).apply(te) as Sym;
  const ce = tf.layers.dense({ units: cfg.embedDim, useBias: false, kernelInitializer: init.dense(), name: 'class_embedding' }).apply(c) as Sym;
  const emb = tf.layers.add({ name: 'embedding' }).apply([te, ce]) as Sym;
  return silu('embedding_silu').apply(emb) as Sym;
}

export function buildUnet(cfg: UnetConfig): T.LayersModel {
  checkConfig(cfg);
  const init = new Inits(cfg.seed);
  const image = tf.input({ shape: [cfg.height, cfg.width, cfg.channels], name: UNET_INPUTS.image });
  const timestep = tf.input({ shape: [1], name: UNET_INPUTS.timestep });
  const cls = tf.input({ shape: [cfg.numClasses + 1], name: UNET_INPUTS.class });
  const embAct = embedding(timestep, cls, cfg, init);
  const last = cfg.widths.length - 1;
  let h = conv(init, cfg.widths[0], 'stem').apply(image) as Sym;
  const skips: Sym[] = [];
  for (let i = 0; i < last; i++) {
    h = resBlock(h, embAct, cfg.widths[i], cfg.groups, init, `down${i}`);
    skips.push(h);
    h = conv(init, cfg.widths[i], `down${i}_resample`, 3, 2).apply(h) as Sym;
  }
  h = resBlock(h, embAct, cfg.widths[last], cfg.groups, init, 'bottom');
  for (let i = last - 1; i >= 0; i--) {
    h = new NearestUpsampling2x({ name: `up${i}_resample` }).apply(h) as Sym;
    h = conv(init, cfg.widths[i], `up${i}_resample_conv`).apply(h) as Sym;
    h = tf.layers.concatenate({ axis: -1, name: `up${i}_concat` }).apply([h, skips[i]]) as Sym;
    h = resBlock(h, embAct, cfg.widths[i], cfg.groups, init, `up${i}`);
  }
  h = groupNormalization({ groups: cfg.groups, name: 'out_gn' }).apply(h) as Sym;
  h = silu('out_silu').apply(h) as Sym;
  const eps = conv(init, cfg.channels, 'out_conv').apply(h) as Sym;
  return tf.model({ inputs: [image, timestep, cls], outputs: eps, name: 'salun_unet' });
}

/** K, read back from a built or loaded U-Net's class input (K + 1 columns). */
export function unetNumClasses(model: T.LayersModel): number {
  const cols = model.inputs[2]?.shape[1];
  if (model.inputs.length !== 3 || typeof cols !== 'number') throw new Error('not a class-conditional U-Net: expected inputs image, timestep, class');
  return cols - 1;
}

/** The one-hot class input; `classes[i] === numClasses` is the null class. */
export function classInput(classes: ArrayLike<number>, numClasses: number): T.Tensor2D {
  const cols = numClasses + 1;
  const data = new Float32Array(classes.length * cols);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (!Number.isInteger(c) || c < 0 || c > numClasses) throw new Error(`class ${c} is outside 0..${numClasses} (${numClasses} is the null class)`);
    data[i * cols + c] = 1;
  }
  return tf.tensor2d(data, [classes.length, cols]);
}

/** ε̂ = εθ(x_t, t, c) for a batch: `t` and `classes` per sample. */
export function predictNoise(model: T.LayersModel, x: T.Tensor4D, t: ArrayLike<number>, classes: ArrayLike<number>): T.Tensor4D {
  return tf.tidy(() => {
    const ts = tf.tensor2d(Float32Array.from(t), [t.length, 1]);
    return model.apply([x, ts, classInput(classes, unetNumClasses(model))]) as T.Tensor4D;
  });
}

/** The trainable variables in the model's weight order: what saliency, masks and optimizers index. */
export function unetVariables(model: T.LayersModel): T.Variable[] {
  return model.trainableWeights.map((w) => w.read() as T.Variable);
}

export function parameterCount(model: T.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
