// A tfjs LayersModel as an ONNX graph in PyTorch's NCHW layout, so that ONNX Runtime (and PyTorch
// users' tools) run the model a run wrote. The input is "input" [batch, C, H, W], the output "logits"
// [batch, classes]; every 4-D tensor of the graph is NCHW, so no Transpose is needed except where a
// vector must keep tfjs's NHWC feature order. Weights are PyTorch's layouts (torchLayout.ts), named
// by `names` (torchWeightNames gives the twins' state_dict keys), so the initializers of a built-in
// are bit for bit the tensors torchStateDict writes.
//
// Layout decisions made once here, from the static shapes:
// - TF's 'same' padding puts the odd pixel after (bottom/right): explicit pads per conv and pool.
// - A ZeroPadding2D that feeds only convolutions becomes those convs' pads, else a Pad node.
// - Flatten over NCHW orders features (c, h, w), tfjs's (h, w, c): a Dense after it takes its rows
//   permuted (denseToTorch), as PyTorch's Linear does; a Flatten that feeds anything else is
//   transposed back to NHWC first, so its values are tfjs's.
// Test: test/peers/onnxExport.peer.test.ts (ONNX Runtime's logits against tfjs's), test/unit/onnxExport.unit.test.ts.
import { weightValues } from './weightReads';
import { onnx } from 'onnx-proto';
import { UserError } from '../../store/errors';
import type { T } from '../tf';
import { convToTorch, convTorchShape, denseToTorch, depthwiseToTorch, depthwiseTorchShape, flattenedMapOf, keepsFeatureOrder } from './torchLayout';

export interface OnnxExportOptions {
  /** The initializer name of a tfjs weight `<layer>/<weight>` (kernel, bias, gamma, moving_mean, …); default: that name. */
  names?: (tfjsWeightName: string) => string;
  /** ONNX opset, 13–21; default 17. */
  opset?: number;
}

const DEFAULT_OPSET = 17;
const ATTR = onnx.AttributeProto.AttributeType;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Zero padding not yet applied, for the next conv: top, left, bottom, right. */
type Pads = [number, number, number, number];

/** A tensor of the graph: its ONNX name and its tfjs shape (NHWC, batch -1). */
interface Value {
  name: string;
  shape: number[];
  /** A folded ZeroPadding2D: the conv reading this value adds these pads. */
  pads?: Pads;
}

/** One call of a layer: its output tensor (whose sourceLayer and inputs say the rest). */
interface Call {
  layer: T.layers.Layer;
  output: T.SymbolicTensor;
  /** Every call that reads the output, and whether the model returns it. */
  consumers: T.SymbolicTensor[];
  isModelOutput: boolean;
  /** The ONNX name of the output. */
  name: string;
}

type Attr = onnx.IAttributeProto;
const intAttr = (name: string, i: number): Attr => ({ name, type: ATTR.INT, i });
const intsAttr = (name: string, ints: number[]): Attr => ({ name, type: ATTR.INTS, ints });
const floatAttr = (name: string, f: number): Attr => ({ name, type: ATTR.FLOAT, f });
const stringAttr = (name: string, s: string): Attr => ({ name, type: ATTR.STRING, s: new TextEncoder().encode(s) });

class Graph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly initializerNames = new Set<string>();

  constructor(private readonly names: (tfjsWeightName: string) => string) {}

  node(opType: string, input: string[], output: string, name: string, attribute: Attr[] = []): string {
    this.nodes.push({ opType, input, output: [output], name, attribute });
    return output;
  }

  /** A float initializer for tfjs weight `tfjsName`, under the name `names` gives it. */
  weight(tfjsName: string, dims: number[], data: Float32Array): string {
    return this.add(this.names(tfjsName), dims, FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** A constant that is not a weight (pads, clip bounds, scales), shared by name. */
  constant(name: string, dims: number[], values: number[], dtype: 'float' | 'int64'): string {
    if (this.initializerNames.has(name)) return name;
    const bytes = dtype === 'float' ? new Uint8Array(Float32Array.from(values).buffer) : new Uint8Array(BigInt64Array.from(values, BigInt).buffer);
    return this.add(name, dims, dtype === 'float' ? FLOAT : INT64, bytes);
  }

  private add(name: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    if (this.initializerNames.has(name)) throw new Error(`ONNX export: two initializers named ${name}`);
    this.initializerNames.add(name);
    this.initializers.push({ name, dims, dataType, rawData });
    return name;
  }
}

function unsupported(layer: T.layers.Layer, why: string): UserError {
  return new UserError(
    `layer ${layer.name} (${layer.getClassName()}) cannot be exported to ONNX: ${why}`,
    'Build the model from Conv2D, DepthwiseConv2D, Dense, BatchNormalization, ReLU/LeakyReLU/Activation, pooling, UpSampling2D (nearest), ZeroPadding2D, Flatten, Add and Concatenate layers (channels last), or keep the tfjs model.',
  );
}

function config(layer: T.layers.Layer): Record<string, unknown> {
  return layer.getConfig();
}

/** A config entry that is a number or a pair of numbers, as a pair. */
function pair(layer: T.layers.Layer, key: string, fallback: number): [number, number] {
  const v = config(layer)[key];
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0], v[0]];
  throw unsupported(layer, `its ${key} ${JSON.stringify(v)} is not one or two numbers`);
}

function channelsLast(layer: T.layers.Layer): void {
  const f = config(layer).dataFormat;
  if (f !== undefined && f !== 'channelsLast') throw unsupported(layer, `its dataFormat is ${JSON.stringify(f)}; only channelsLast is exported`);
}

function shortName(v: T.LayerVariable): string {
  return v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
}

function weightOf(layer: T.layers.Layer, short: string): { data: Float32Array; shape: number[] } | undefined {
  const v = layer.weights.find((w) => shortName(w) === short);
  return v ? { data: weightValues(v), shape: v.shape as number[] } : undefined;
}

function requiredWeight(layer: T.layers.Layer, short: string): { data: Float32Array; shape: number[] } {
  const w = weightOf(layer, short);
  if (!w) throw unsupported(layer, `it has no ${short} weight`);
  return w;
}

/** TF's 'same': output ⌈n/s⌉, the total padding split with the odd pixel after. */
function sameAxis(n: number, k: number, s: number, d: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function windowPads(layer: T.layers.Layer, x: Value, kernel: [number, number], strides: [number, number], dilations: [number, number]): Pads {
  const padding = config(layer).padding;
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw unsupported(layer, `its padding is ${String(padding)}; same and valid are exported`);
  const [top, bottom] = sameAxis(x.shape[1], kernel[0], strides[0], dilations[0]);
  const [left, right] = sameAxis(x.shape[2], kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}

const addPads = (a: Pads | undefined, b: Pads): Pads => (a ? [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]] : b);

/** The tfjs axis of a rank-r tensor as the NCHW graph's axis (only 4-D tensors are reordered). */
function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a] : a;
}

/** Writes an activation of `x` into `out` and returns the name read next (`x` itself for linear). */
type Activation = (g: Graph, x: string, out: string, rank: number, name: string) => string;

const ACTIVATIONS: Record<string, Activation> = {
  linear: (_g, x) => x,
  relu: (g, x, out, _r, name) => g.node('Relu', [x], out, name),
  relu6: (g, x, out, _r, name) => g.node('Clip', [x, g.constant('clip_0', [], [0], 'float'), g.constant('clip_6', [], [6], 'float')], out, name),
  sigmoid: (g, x, out, _r, name) => g.node('Sigmoid', [x], out, name),
  tanh: (g, x, out, _r, name) => g.node('Tanh', [x], out, name),
  softmax: (g, x, out, rank, name) => g.node('Softmax', [x], out, name, [intAttr('axis', onnxAxis(-1, rank))]),
  elu: (g, x, out, _r, name) => g.node('Elu', [x], out, name, [floatAttr('alpha', 1)]),
  softplus: (g, x, out, _r, name) => g.node('Softplus', [x], out, name),
  softsign: (g, x, out, _r, name) => g.node('Softsign', [x], out, name),
  hardSigmoid: (g, x, out, _r, name) => g.node('HardSigmoid', [x], out, name, [floatAttr('alpha', 0.2), floatAttr('beta', 0.5)]),
  swish: (g, x, out, _r, name) => g.node('Mul', [x, g.node('Sigmoid', [x], `${out}/sigmoid`, `${name}/sigmoid`)], out, name),
};

/** The layer's own activation (Conv2D, Dense, Activation), written after `pre`. */
function activate(g: Graph, call: Call, pre: string, rank: number, key = 'activation'): string {
  const act = config(call.layer)[key] ?? 'linear';
  const f = typeof act === 'string' ? ACTIVATIONS[act] : undefined;
  if (!f) throw unsupported(call.layer, `its activation ${JSON.stringify(act)} is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  return f(g, pre, call.name, rank, `${call.layer.name}/${act as string}`);
}

const hasActivation = (layer: T.layers.Layer): boolean => (config(layer).activation ?? 'linear') !== 'linear';

function shapeOf(t: T.SymbolicTensor): number[] {
  return t.shape.map((d) => d ?? -1);
}

function rank(layer: T.layers.Layer, x: Value, ranks: number[]): void {
  if (!ranks.includes(x.shape.length)) throw unsupported(layer, `its input has rank ${x.shape.length}; rank ${ranks.join(' or ')} is exported`);
}

/** Only a conv reads a folded padding (see zeroPadding). */
function unpadded(layer: T.layers.Layer, x: Value): string {
  if (x.pads) throw new Error(`ONNX export: ${layer.name} reads a folded zero padding`);
  return x.name;
}

function conv2d(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  channelsLast(layer);
  rank(layer, x, [4]);
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  const kernel = requiredWeight(layer, depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, cin] = kernel.shape;
  const strides = pair(layer, 'strides', 1);
  const dilations = pair(layer, 'dilationRate', 1);
  const pads = addPads(x.pads, windowPads(layer, x, [kh, kw], strides, dilations));
  const tfjsName = `${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`;
  const w = depthwise
    ? g.weight(tfjsName, depthwiseTorchShape(kernel.shape), depthwiseToTorch(kernel.data, kernel.shape))
    : g.weight(tfjsName, convTorchShape(kernel.shape), convToTorch(kernel.data, kernel.shape));
  const inputs = [x.name, w];
  const bias = weightOf(layer, 'bias');
  if (bias) inputs.push(g.weight(`${layer.name}/bias`, bias.shape, bias.data.slice()));
  const out = hasActivation(layer) ? `${call.name}/conv` : call.name;
  g.node('Conv', inputs, out, layer.name, [
    intsAttr('kernel_shape', [kh, kw]),
    intsAttr('strides', strides),
    intsAttr('dilations', dilations),
    intsAttr('pads', pads),
    intAttr('group', depthwise ? cin : 1),
  ]);
  return activate(g, call, out, 4);
}

function dense(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  rank(layer, x, [2]);
  const kernel = requiredWeight(layer, 'kernel');
  const flattened = flattenedMapOf(call.output.inputs[0]);
  const inputs = [x.name, g.weight(`${layer.name}/kernel`, [kernel.shape[1], kernel.shape[0]], denseToTorch(kernel.data, kernel.shape, flattened))];
  const bias = weightOf(layer, 'bias');
  if (bias) inputs.push(g.weight(`${layer.name}/bias`, bias.shape, bias.data.slice()));
  const out = hasActivation(layer) ? `${call.name}/gemm` : call.name;
  g.node('Gemm', inputs, out, layer.name, [intAttr('transB', 1)]);
  return activate(g, call, out, 2);
}

function batchNorm(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  const cfg = config(layer);
  const axis = Array.isArray(cfg.axis) && cfg.axis.length === 1 ? (cfg.axis[0] as unknown) : cfg.axis;
  if (axis !== -1 && axis !== x.shape.length - 1)
    throw unsupported(layer, `it normalises axis ${JSON.stringify(cfg.axis)}; only the channel axis (-1) is exported`);
  const mean = requiredWeight(layer, 'moving_mean');
  const variance = requiredWeight(layer, 'moving_variance');
  const c = mean.shape;
  const param = (short: string, fill: number): string => {
    const w = weightOf(layer, short);
    return g.weight(`${layer.name}/${short}`, c, w ? w.data.slice() : new Float32Array(c[0]).fill(fill));
  };
  const inputs = [
    unpadded(layer, x),
    param('gamma', 1),
    param('beta', 0),
    g.weight(`${layer.name}/moving_mean`, c, mean.data.slice()),
    g.weight(`${layer.name}/moving_variance`, c, variance.data.slice()),
  ];
  return g.node('BatchNormalization', inputs, call.name, layer.name, [floatAttr('epsilon', Number(cfg.epsilon ?? 1e-3))]);
}

function relu(g: Graph, call: Call, [x]: Value[]): string {
  const max = config(call.layer).maxValue;
  const input = unpadded(call.layer, x);
  if (typeof max !== 'number') return g.node('Relu', [input], call.name, call.layer.name);
  return g.node('Clip', [input, g.constant('clip_0', [], [0], 'float'), g.constant(`clip_${max}`, [], [max], 'float')], call.name, call.layer.name);
}

function pool(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  channelsLast(layer);
  rank(layer, x, [4]);
  const kernel = pair(layer, 'poolSize', 2);
  const cfgStrides = config(layer).strides;
  const strides = cfgStrides === undefined || cfgStrides === null ? kernel : pair(layer, 'strides', 1);
  const attrs = [intsAttr('kernel_shape', kernel), intsAttr('strides', strides), intsAttr('pads', windowPads(layer, x, kernel, strides, [1, 1]))];
  // TF's 'same' average divides by the real pixels in the window: count_include_pad=0.
  const max = layer.getClassName() === 'MaxPooling2D';
  return g.node(max ? 'MaxPool' : 'AveragePool', [unpadded(layer, x)], call.name, layer.name, max ? attrs : [...attrs, intAttr('count_include_pad', 0)]);
}

function globalPool(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  channelsLast(layer);
  rank(layer, x, [4]);
  const op = layer.getClassName() === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool';
  if (config(layer).keepDims === true) return g.node(op, [unpadded(layer, x)], call.name, layer.name);
  const pooled = g.node(op, [unpadded(layer, x)], `${call.name}/pool`, layer.name);
  return g.node('Flatten', [pooled], call.name, `${layer.name}/flatten`, [intAttr('axis', 1)]);
}

/** Which layers read the tensor once the feature-order-keeping ones are passed: 'dense', 'other'. */
function vectorReaders(start: Call, calls: Map<number, Call>): Set<'dense' | 'other'> {
  const readers = new Set<'dense' | 'other'>();
  const stack = [start];
  for (let c = stack.pop(); c; c = stack.pop()) {
    if (c.isModelOutput) readers.add('other');
    for (const t of c.consumers) {
      const cls = t.sourceLayer.getClassName();
      const next = calls.get(t.id);
      if (cls === 'Dense') readers.add('dense');
      else if (keepsFeatureOrder(cls) && t.inputs.length === 1 && next) stack.push(next);
      else readers.add('other');
    }
  }
  return readers;
}

/** The NHWC-ordered vector of a 4-D map (tfjs's own Flatten order). */
function nhwcVector(g: Graph, call: Call, x: string): string {
  const t = g.node('Transpose', [x], `${call.name}/nhwc`, `${call.layer.name}/nhwc`, [intsAttr('perm', [0, 2, 3, 1])]);
  return g.node('Flatten', [t], call.name, call.layer.name, [intAttr('axis', 1)]);
}

function flattenLayer(calls: Map<number, Call>): Converter {
  return (g, call, [x]) => {
    const input = unpadded(call.layer, x);
    if (x.shape.length !== 4) return g.node('Flatten', [input], call.name, call.layer.name, [intAttr('axis', 1)]);
    if (x.shape.slice(1).some((d) => d < 0)) throw unsupported(call.layer, 'its input has a dimension of unknown size');
    const readers = vectorReaders(call, calls);
    if (readers.size === 2) {
      throw unsupported(call.layer, 'it feeds both Dense layers and other layers; a Dense reads the NCHW order, the others the NHWC one');
    }
    // A Dense reads the NCHW order with its rows permuted (denseToTorch), as PyTorch's Linear would.
    return readers.has('dense') ? g.node('Flatten', [input], call.name, call.layer.name, [intAttr('axis', 1)]) : nhwcVector(g, call, input);
  };
}

function reshape(g: Graph, call: Call, [x]: Value[]): string {
  const target = config(call.layer).targetShape;
  if (!Array.isArray(target) || target.length !== 1) throw unsupported(call.layer, `its target shape ${JSON.stringify(target)} is not a vector`);
  const input = unpadded(call.layer, x);
  // Its Dense reader does not permute (flattenedMapOf knows Flatten only): keep tfjs's order.
  return x.shape.length === 4 ? nhwcVector(g, call, input) : g.node('Flatten', [input], call.name, call.layer.name, [intAttr('axis', 1)]);
}

function upSampling(g: Graph, call: Call, [x]: Value[]): string {
  const { layer } = call;
  channelsLast(layer);
  rank(layer, x, [4]);
  const interpolation = config(layer).interpolation ?? 'nearest';
  if (interpolation !== 'nearest') throw unsupported(layer, `its interpolation is ${JSON.stringify(interpolation)}; nearest is exported`);
  const [sh, sw] = pair(layer, 'size', 2);
  const scales = g.constant(`${layer.name}/scales`, [4], [1, 1, sh, sw], 'float');
  // tfjs's nearest neighbour without half-pixel centres: source pixel ⌊dst / scale⌋.
  return g.node('Resize', [unpadded(layer, x), '', scales], call.name, layer.name, [
    stringAttr('mode', 'nearest'),
    stringAttr('coordinate_transformation_mode', 'asymmetric'),
    stringAttr('nearest_mode', 'floor'),
  ]);
}

const isConv = (t: T.SymbolicTensor): boolean => ['Conv2D', 'DepthwiseConv2D'].includes(t.sourceLayer.getClassName());

/** Folded into the convs it feeds when it feeds only convs; else a Pad node. Returns a Value. */
function zeroPadding(g: Graph, call: Call, [x]: Value[]): Value {
  const { layer } = call;
  channelsLast(layer);
  rank(layer, x, [4]);
  const p = config(layer).padding as [[number, number], [number, number]];
  const pads: Pads = [p[0][0], p[1][0], p[0][1], p[1][1]];
  const shape = shapeOf(call.output);
  if (!call.isModelOutput && call.consumers.length > 0 && call.consumers.every(isConv)) return { name: x.name, shape, pads: addPads(x.pads, pads) };
  const padsInput = g.constant(`${layer.name}/pads`, [8], [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], 'int64');
  return { name: g.node('Pad', [unpadded(layer, x), padsInput], call.name, layer.name, [stringAttr('mode', 'constant')]), shape };
}

const BINARY: Record<string, string> = { Add: 'Add', Multiply: 'Mul', Maximum: 'Max', Minimum: 'Min' };

function merge(g: Graph, call: Call, xs: Value[]): string {
  const op = BINARY[call.layer.getClassName()];
  let acc = unpadded(call.layer, xs[0]);
  for (let i = 1; i < xs.length; i++) {
    const out = i === xs.length - 1 ? call.name : `${call.name}/${i}`;
    acc = g.node(op, [acc, unpadded(call.layer, xs[i])], out, i === xs.length - 1 ? call.layer.name : `${call.layer.name}/${i}`);
  }
  return acc;
}

function concatenate(g: Graph, call: Call, xs: Value[]): string {
  const axis = Number(config(call.layer).axis ?? -1);
  const inputs = xs.map((x) => unpadded(call.layer, x));
  return g.node('Concat', inputs, call.name, call.layer.name, [intAttr('axis', onnxAxis(axis, xs[0].shape.length))]);
}

function softmaxLayer(g: Graph, call: Call, [x]: Value[]): string {
  const cfg = config(call.layer).axis;
  const axis = Array.isArray(cfg) ? Number(cfg[0]) : Number(cfg ?? -1);
  return g.node('Softmax', [unpadded(call.layer, x)], call.name, call.layer.name, [intAttr('axis', onnxAxis(axis, x.shape.length))]);
}

/** Writes a layer's call; a Value when the result is not a new tensor named call.name. */
type Converter = (g: Graph, call: Call, inputs: Value[]) => string | Value;

const IDENTITY_AT_INFERENCE = ['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'];

function converters(calls: Map<number, Call>): Record<string, Converter> {
  const table: Record<string, Converter> = {
    Conv2D: conv2d,
    DepthwiseConv2D: conv2d,
    Dense: dense,
    BatchNormalization: batchNorm,
    ReLU: relu,
    LeakyReLU: (g, call, [x]) =>
      g.node('LeakyRelu', [unpadded(call.layer, x)], call.name, call.layer.name, [floatAttr('alpha', Number(config(call.layer).alpha ?? 0.3))]),
    ELU: (g, call, [x]) => g.node('Elu', [unpadded(call.layer, x)], call.name, call.layer.name, [floatAttr('alpha', Number(config(call.layer).alpha ?? 1))]),
    Softmax: softmaxLayer,
    Activation: (g, call, [x]) => activate(g, call, unpadded(call.layer, x), x.shape.length),
    Flatten: flattenLayer(calls),
    Reshape: reshape,
    MaxPooling2D: pool,
    AveragePooling2D: pool,
    GlobalAveragePooling2D: globalPool,
    GlobalMaxPooling2D: globalPool,
    UpSampling2D: upSampling,
    ZeroPadding2D: zeroPadding,
    Concatenate: concatenate,
  };
  for (const cls of Object.keys(BINARY)) table[cls] = merge;
  for (const cls of IDENTITY_AT_INFERENCE) table[cls] = (_g, _call, [x]) => x;
  return table;
}

/** Every layer call the output depends on, inputs first, with who reads each. */
function callsInOrder(model: T.LayersModel): Call[] {
  const output = model.outputs[0];
  const calls = new Map<number, Call>();
  const order: Call[] = [];
  const visit = (t: T.SymbolicTensor): void => {
    if (calls.has(t.id)) return;
    if (t.tensorIndex > 0) throw unsupported(t.sourceLayer, 'it has more than one output');
    const call: Call = { layer: t.sourceLayer, output: t, consumers: [], isModelOutput: t.id === output.id, name: '' };
    call.name = t.nodeIndex > 0 ? `${t.sourceLayer.name}_${t.nodeIndex}` : t.sourceLayer.name;
    calls.set(t.id, call);
    for (const i of t.inputs) visit(i);
    for (const i of t.inputs) calls.get(i.id)?.consumers.push(t);
    order.push(call);
  };
  visit(output);
  return order;
}

function checkModel(model: T.LayersModel): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; the ONNX export writes one of each`,
      'Export a classifier with one image input and one logits output.',
    );
  }
  const input = model.inputs[0].shape;
  if (input.slice(1).some((d) => d === null))
    throw new UserError(`the model's input shape ${JSON.stringify(input)} is not fixed`, 'Give the model a fixed input shape (height, width, channels).');
  if (model.outputs[0].shape.length !== 2) {
    throw new UserError(
      `the model's output has shape ${JSON.stringify(model.outputs[0].shape)}; the ONNX export writes a classifier's [batch, classes]`,
      'End the model with a Dense layer.',
    );
  }
}

function valueInfo(name: string, shape: number[]): onnx.IValueInfoProto {
  const nchw = shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape;
  const dim = nchw.map((d, i) => (i === 0 ? { dimParam: 'batch' } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/** The IR version that goes with an opset (onnx's versioning table). */
const irVersionOf = (opset: number): number => (opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

/** The model as an ONNX file: NCHW input "input", output "logits", PyTorch-layout initializers. */
export function exportOnnx(model: T.LayersModel, opts: OnnxExportOptions = {}): Uint8Array {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21)
    throw new UserError(`ONNX opset ${opset} is not written`, 'Give an opset from 13 to 21 (17 by default).');
  checkModel(model);
  const g = new Graph(opts.names ?? ((n) => n));
  const order = callsInOrder(model);
  const calls = new Map(order.map((c) => [c.output.id, c]));
  const table = converters(calls);
  const values = new Map<number, Value>();
  for (const call of order) {
    const cls = call.layer.getClassName();
    if (cls === 'InputLayer') {
      values.set(call.output.id, { name: 'input', shape: shapeOf(call.output) });
      continue;
    }
    const convert = table[cls];
    if (!convert) throw unsupported(call.layer, `the ONNX export has no ${cls}`);
    const inputs = call.output.inputs.map((t) => values.get(t.id) as Value);
    const result = convert(g, call, inputs);
    values.set(call.output.id, typeof result === 'string' ? { name: result, shape: shapeOf(call.output) } : result);
  }
  const last = values.get(model.outputs[0].id) as Value;
  if (last.name === 'input') g.node('Identity', ['input'], 'logits', 'logits');
  else for (const n of g.nodes) for (const list of [n.input ?? [], n.output ?? []]) list.forEach((s, i) => s === last.name && (list[i] = 'logits'));
  const graph: onnx.IGraphProto = {
    name: model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('input', shapeOf(model.inputs[0]))],
    output: [valueInfo('logits', shapeOf(model.outputs[0]))],
  };
  const proto: onnx.IModelProto = {
    irVersion: irVersionOf(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'SalUn Lab',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}
