// The PyTorch twins of the built-in networks: for each architecture, the PyTorch module that has
// the same function (python/salun_twins.py defines all five), its state_dict keys, and how each key
// maps to a tfjs weight. A built-in model converts to a state_dict that the twin loads with
// load_state_dict(strict=True), and a twin's state_dict loads into the built-in; both then predict
// the same logits (test/peers/twins.peer.test.ts, within 1e-4 of the largest).
//
// Per tfjs layer: Conv2D kernel → `<m>.weight` (OIHW), bias → `<m>.bias`; BatchNormalization gamma,
// beta, moving_mean, moving_variance → `<m>.weight`, `.bias`, `.running_mean`, `.running_var`, plus
// `.num_batches_tracked` (an int64 PyTorch's strict load requires: written as 0, since PyTorch reads
// it only with momentum=None; optional on read); Dense kernel → `<m>.weight` ([out, in], inputs in
// NCHW order after a Flatten), bias → `<m>.bias`. The module paths `<m>` are each row's.
//
// The authors' resnet18 and vgg16-bn hold NormalizeByChannelMeanStd buffers (`normalize.mean`,
// `normalize.std`), which our networks leave out of the model: they are written with the run's
// input normalisation (identity by default) so the authors' own class loads the file strictly, and
// on read they are handed back for the data to be normalised the same way.
//
// cnn: its stride-2 convolutions keep TF's 'same' padding (0 before, 1 after on even sizes; PyTorch's
// padding=1 samples other pixels there), so the twin pads the same way with F.pad, which has no
// parameters: the state_dict is unaffected.
import { weightValues } from './weightReads';
import type { ArchitectureName } from '../../protocol/config';
import { elementCount, type StateDict, type StateDtype, type StateTensor } from '../../store/checkpoints/stateDict';
import { UserError } from '../../store/errors';
import { tf, type T } from '../tf';
import { convFromTorch, convToTorch, convTorchShape, denseFromTorch, denseToTorch, flattenedInputOf } from './torchLayout';

type Layout = 'conv' | 'linear' | 'vector' | 'count';

/** One state_dict entry and where its values live in the tfjs model. */
interface TwinKey {
  key: string;
  dtype: StateDtype;
  shape: number[];
  layout: Layout;
  /** The tfjs layer and its weight's short name (kernel, gamma, …); none for num_batches_tracked. */
  layer?: T.layers.Layer;
  weight?: string;
  /** Dense after a Flatten: the h×w×c map it flattened. */
  flattened?: [number, number, number];
}

interface TwinRow {
  /** The PyTorch module path of a tfjs layer that has weights; undefined: the layer is not part of this network. */
  moduleOf: (layer: string) => string | undefined;
  /** Module names in PyTorch's registration order, to order the keys as the twin's state_dict does. */
  order: readonly string[];
  /** The authors' NormalizeByChannelMeanStd: its buffers' place among the modules. */
  normalize?: boolean;
}

const same = (layer: string): string => layer;

/** torchvision's naming, which the authors' ResNet keeps: layer2_0_downsample_conv → layer2.0.downsample.0. */
function resnetModule(layer: string): string | undefined {
  if (layer === 'conv1' || layer === 'bn1' || layer === 'fc') return layer;
  const m = /^layer([1-4])_(\d+)_(conv1|bn1|conv2|bn2|downsample_conv|downsample_bn)$/.exec(layer);
  if (!m) return undefined;
  const part = m[3] === 'downsample_conv' ? 'downsample.0' : m[3] === 'downsample_bn' ? 'downsample.1' : m[3];
  return `layer${m[1]}.${m[2]}.${part}`;
}

/** VGG-16 cfg 'D' as nn.Sequential `features`: conv, BN, ReLU per conv, a MaxPool after blocks 1–4. */
const VGG_BLOCK_SIZES = [2, 2, 3, 3, 3];

function vggFeatureIndex(conv: number): number {
  let index = 0;
  let n = 0;
  for (const [b, size] of VGG_BLOCK_SIZES.entries()) {
    for (let i = 0; i < size; i++, index += 3) if (++n === conv) return index;
    if (b < 4) index++;
  }
  return -1;
}

function vggModule(layer: string): string | undefined {
  const conv = /^(conv|bn)(\d+)$/.exec(layer);
  if (conv && Number(conv[2]) >= 1 && Number(conv[2]) <= 13) return `features.${vggFeatureIndex(Number(conv[2])) + (conv[1] === 'bn' ? 1 : 0)}`;
  return { fc1: 'classifier.0', fc2: 'classifier.2', logits: 'classifier.4' }[layer];
}

const RESNET_ORDER = ['normalize', 'conv1', 'bn1', 'conv2', 'bn2', 'downsample', 'layer1', 'layer2', 'layer3', 'layer4', 'fc'];

const TWINS = {
  cnn: {
    moduleOf: (l) => (/^(conv[1-3]|bn[1-3]|fc1|logits)$/.test(l) ? same(l) : undefined),
    order: ['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'bn3', 'fc1', 'logits'],
  },
  mlp: { moduleOf: (l) => (/^(fc1|fc2|logits)$/.test(l) ? same(l) : undefined), order: ['fc1', 'fc2', 'logits'] },
  resnet18: { moduleOf: resnetModule, order: RESNET_ORDER, normalize: true },
  'vgg16-bn': { moduleOf: vggModule, order: ['features', 'classifier', 'normalize'], normalize: true },
  'resnet18-torchvision': { moduleOf: resnetModule, order: RESNET_ORDER },
} satisfies Record<ArchitectureName, TwinRow>;

/** Compares dotted keys segment by segment: numbers numerically, names by the row's order. */
function keyOrder(order: readonly string[]): (a: string, b: string) => number {
  const rank = (s: string): number => (/^\d+$/.test(s) ? Number(s) : order.indexOf(s));
  return (a, b) => {
    const x = a.split('.');
    const y = b.split('.');
    for (let i = 0; i < Math.min(x.length, y.length) - 1; i++) if (x[i] !== y[i]) return rank(x[i]) - rank(y[i]);
    return 0;
  };
}

function shortName(v: T.LayerVariable): string {
  return v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
}

function weightShape(layer: T.layers.Layer, weight: string): number[] {
  const v = layer.weights.find((w) => shortName(w) === weight);
  if (!v) throw new UserError(`layer ${layer.name} (${layer.getClassName()}) has no ${weight} weight`, 'Use a model built from the same architecture.');
  return v.shape as number[];
}

function layerKeys(layer: T.layers.Layer, m: string): TwinKey[] {
  const f32 = (key: string, weight: string, layout: Layout, shape: number[], extra: Partial<TwinKey> = {}): TwinKey => ({
    key: `${m}.${key}`,
    dtype: 'F32',
    shape,
    layout,
    layer,
    weight,
    ...extra,
  });
  const cls = layer.getClassName();
  const has = (w: string): boolean => layer.weights.some((v) => shortName(v) === w);
  if (cls === 'Conv2D') {
    const keys = [f32('weight', 'kernel', 'conv', convTorchShape(weightShape(layer, 'kernel')))];
    if (has('bias')) keys.push(f32('bias', 'bias', 'vector', weightShape(layer, 'bias')));
    return keys;
  }
  if (cls === 'Dense') {
    const [cin, cout] = weightShape(layer, 'kernel');
    const flattened = flattenedInputOf(layer);
    const keys = [f32('weight', 'kernel', 'linear', [cout, cin], flattened ? { flattened } : {})];
    if (has('bias')) keys.push(f32('bias', 'bias', 'vector', [cout]));
    return keys;
  }
  if (cls === 'BatchNormalization') {
    const c = weightShape(layer, 'moving_mean');
    return [
      f32('weight', 'gamma', 'vector', c),
      f32('bias', 'beta', 'vector', c),
      f32('running_mean', 'moving_mean', 'vector', c),
      f32('running_var', 'moving_variance', 'vector', c),
      { key: `${m}.num_batches_tracked`, dtype: 'I64', shape: [], layout: 'count' },
    ];
  }
  throw new UserError(`layer ${layer.name} is a ${cls}, which the PyTorch twins do not map`, 'Use a model built from the same architecture.');
}

function normalizeKeys(channels: number): TwinKey[] {
  return ['mean', 'std'].map((k) => ({ key: `normalize.${k}`, dtype: 'F32', shape: [channels], layout: 'vector' }));
}

/** Every key of the architecture's twin for this model, in the twin's state_dict order. */
function twinKeys(model: T.LayersModel, architecture: ArchitectureName): TwinKey[] {
  const row: TwinRow = TWINS[architecture];
  const keys: TwinKey[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const m = row.moduleOf(layer.name);
    if (m === undefined) {
      throw new UserError(
        `the model has a layer ${layer.name} (${layer.getClassName()}) that the built-in ${architecture} does not`,
        `Give the architecture the model was built as.`,
      );
    }
    keys.push(...layerKeys(layer, m));
  }
  if (row.normalize) keys.push(...normalizeKeys(model.inputs[0].shape[3] ?? 1));
  const order = keyOrder(row.order);
  return keys.sort((a, b) => order(a.key, b.key));
}

/** The twin's state_dict keys and PyTorch shapes for this model: what a checkpoint of it must hold. */
export function expectedTorchKeys(model: T.LayersModel, architecture: ArchitectureName): Map<string, number[]> {
  return new Map(twinKeys(model, architecture).map((k) => [k.key, k.shape]));
}

/** Keys a checkpoint may leave out: BatchNorm's counter, and the authors' input normalisation (then: none). */
export function isOptionalTorchKey(key: string): boolean {
  return key.endsWith('.num_batches_tracked') || key === 'normalize.mean' || key === 'normalize.std';
}

/** torchvision's Normalize(mean, std) per input channel. */
export interface InputNormalization {
  mean: number[];
  std: number[];
}

function valuesOf(k: TwinKey, norm: InputNormalization | undefined): Float32Array {
  if (k.layout === 'count') return new Float32Array(1);
  if (!k.layer) {
    const channels = k.shape[0];
    const given = k.key === 'normalize.mean' ? norm?.mean : norm?.std;
    return Float32Array.from(given ?? new Array<number>(channels).fill(k.key === 'normalize.mean' ? 0 : 1));
  }
  const v = k.layer.weights.find((w) => shortName(w) === k.weight) as T.LayerVariable;
  const data = weightValues(v);
  if (k.layout === 'conv') return convToTorch(data, v.shape as number[]);
  if (k.layout === 'linear') return denseToTorch(data, v.shape as number[], k.flattened);
  return data.slice();
}

/**
 * The model's weights as its PyTorch twin's state_dict. `inputNormalization` fills the authors'
 * normalisation buffers (resnet18, vgg16-bn) with the scaling the model's inputs were given.
 */
export function torchStateDict(model: T.LayersModel, architecture: ArchitectureName, opts: { inputNormalization?: InputNormalization } = {}): StateDict {
  const dict: StateDict = new Map();
  for (const k of twinKeys(model, architecture)) dict.set(k.key, { dtype: k.dtype, shape: [...k.shape], data: valuesOf(k, opts.inputNormalization) });
  return dict;
}

/** The tfjs name of each mapped weight (`<layer>/<weight>`) → its state_dict key: ONNX initializer names. */
export function torchWeightNames(model: T.LayersModel, architecture: ArchitectureName): (tfjsWeightName: string) => string {
  const names = new Map<string, string>();
  for (const k of twinKeys(model, architecture)) if (k.layer && k.weight) names.set(`${k.layer.name}/${k.weight}`, k.key);
  return (name) => names.get(name) ?? name;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Missing, unexpected and mis-shaped keys, all of them, in one error. */
function checkKeys(keys: TwinKey[], dict: StateDict, architecture: ArchitectureName): void {
  const wanted = new Map(keys.map((k) => [k.key, k]));
  const missing = keys.filter((k) => !dict.has(k.key) && !isOptionalTorchKey(k.key)).map((k) => k.key);
  const unexpected = [...dict.keys()].filter((k) => !wanted.has(k));
  const misShaped = keys
    .filter((k) => {
      const t = dict.get(k.key);
      return t !== undefined && !sameShape(t.shape, k.shape) && !(k.layout === 'count' && elementCount(t.shape) === 1);
    })
    .map((k) => `${k.key} ${JSON.stringify(dict.get(k.key)?.shape)} (expected ${JSON.stringify(k.shape)})`);
  if (missing.length + unexpected.length + misShaped.length === 0) return;
  const list = (what: string, xs: string[]): string =>
    xs.length ? `${what}: ${xs.slice(0, 20).join(', ')}${xs.length > 20 ? ` and ${xs.length - 20} more` : ''}` : '';
  throw new UserError(
    `the state_dict does not fit the ${architecture} twin. ${[list('missing', missing), list('unexpected', unexpected), list('wrong shape', misShaped)].filter(Boolean).join('; ')}`,
    `Save the state_dict of the PyTorch network that ${architecture} is (its definition is in SalUn Lab's docs), with the same number of classes and input channels.`,
  );
}

function tfjsValues(k: TwinKey, t: StateTensor, v: T.LayerVariable): Float32Array {
  if (k.layout === 'conv') return convFromTorch(t.data, v.shape as number[]);
  if (k.layout === 'linear') return denseFromTorch(t.data, v.shape as number[], k.flattened);
  return t.data;
}

/**
 * Sets the model's weights from its twin's state_dict (keys exactly the twin's, or an error listing
 * every missing, unexpected and mis-shaped one). Returns the authors' input normalisation when the
 * dict holds one that is not the identity: the data must then be normalised so before the model.
 */
export function loadTorchStateDict(model: T.LayersModel, architecture: ArchitectureName, dict: StateDict): { inputNormalization?: InputNormalization } {
  const keys = twinKeys(model, architecture);
  checkKeys(keys, dict, architecture);
  const byLayer = new Map<T.layers.Layer, Map<string, Float32Array>>();
  for (const k of keys) {
    const t = dict.get(k.key);
    if (!k.layer || !k.weight || !t) continue;
    const v = k.layer.weights.find((w) => shortName(w) === k.weight) as T.LayerVariable;
    if (!byLayer.has(k.layer)) byLayer.set(k.layer, new Map());
    byLayer.get(k.layer)?.set(k.weight, tfjsValues(k, t, v));
  }
  for (const [layer, values] of byLayer) {
    const tensors = layer.weights.map((w) => {
      const data = values.get(shortName(w));
      return data ? tf.tensor(data, w.shape as number[], 'float32') : w.read().clone();
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  const mean = dict.get('normalize.mean');
  const std = dict.get('normalize.std');
  if (!mean || !std || (mean.data.every((x) => x === 0) && std.data.every((x) => x === 1))) return {};
  return { inputNormalization: { mean: Array.from(mean.data), std: Array.from(std.data) } };
}
