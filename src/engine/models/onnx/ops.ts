// The ONNX op table: one row per op, each building tfjs layers (or computing a constant) for one
// node. Rows map onto tfjs-layers' own layers wherever one has ONNX's semantics, so training runs
// the same kernels as a built-in network; the rest use the one OnnxOp layer (onnxLayer.ts).
// Layout rule (graphValues.ts): 4-D values run NHWC; a flattened NHWC map keeps its (h, w, c)
// order and the Gemm that reads it takes its weight rows permuted once, at import.
import { tf, type T } from '../../tf';
import {
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  axisOf,
  BATCH,
  constInput,
  input,
  ints,
  optionalConst,
  tensorInput,
  tensorVal,
  tfAxis,
  unsupported,
  type BuildContext,
  type ConstVal,
  type TensorVal,
  type Val,
} from './graphValues';
import type { OnnxNode } from './onnxFile';
import { onnxOp, type OnnxOpConfig } from './onnxLayer';

type Row = (node: OnnxNode, ctx: BuildContext) => Val;

/** float32's largest: a model.json cannot hold Infinity. */
const F32_MAX = 3.4028234663852886e38;

function apply(layer: T.layers.Layer, x: T.SymbolicTensor | T.SymbolicTensor[]): T.SymbolicTensor {
  return layer.apply(x) as T.SymbolicTensor;
}

function op(
  ctx: BuildContext,
  node: OnnxNode,
  x: TensorVal | TensorVal[],
  cfg: Omit<OnnxOpConfig, 'outShape'>,
  outShape: number[],
  suffix?: string,
): T.SymbolicTensor {
  const xs = Array.isArray(x) ? x : [x];
  return apply(onnxOp({ ...cfg, outShape }, ctx.layerName(node, suffix)), xs.length === 1 ? xs[0].t : xs.map((v) => v.t));
}

function rest(t: T.SymbolicTensor): number[] {
  return t.shape.slice(1) as number[];
}

/** A flattened NHWC map put back into ONNX's (c, h, w) feature order, for readers that cannot absorb it. */
export function materialize(ctx: BuildContext, node: OnnxNode, v: TensorVal): TensorVal {
  if (!v.flat) return v;
  const { h, w, c } = v.flat;
  const map = apply(tf.layers.reshape({ targetShape: [h, w, c], name: ctx.layerName(node, 'unflatten') }), v.t);
  const t = op(ctx, node, tensorVal(map), { fn: 'reshape', attrs: { pre: [0, 3, 1, 2], shape: [c * h * w], post: null } }, [c * h * w], 'chw');
  return tensorVal(t);
}

/** The value as ONNX order dims without the batch. */
function onnxRest(v: TensorVal): number[] {
  return v.shape.slice(1).map((d) => d ?? 0);
}

/** Reshape to ONNX dims `target` (without the batch), in ONNX's element order. */
function reshapeTo(ctx: BuildContext, node: OnnxNode, v0: TensorVal, target: number[]): TensorVal {
  const v = materialize(ctx, node, v0);
  const inRank = v.shape.length;
  const outRank = target.length + 1;
  const same = onnxRest(v).length === target.length && onnxRest(v).every((d, i) => d === target[i]);
  if (same) return v;
  // Flattening a map: tfjs's own Flatten, with the order left to the next Gemm (or nothing to
  // reorder when the map is 1×1).
  if (inRank === 4 && outRank === 2) {
    const [c, h, w] = onnxRest(v);
    if (h === 1 && w === 1) return tensorVal(apply(tf.layers.reshape({ targetShape: [c], name: ctx.layerName(node) }), v.t));
    return tensorVal(apply(tf.layers.flatten({ name: ctx.layerName(node) }), v.t), { h, w, c });
  }
  if (inRank !== 4 && outRank !== 4) return tensorVal(apply(tf.layers.reshape({ targetShape: target, name: ctx.layerName(node) }), v.t));
  const outShape = outRank === 4 ? [target[1], target[2], target[0]] : target;
  const t = op(
    ctx,
    node,
    v,
    { fn: 'reshape', attrs: { pre: inRank === 4 ? [0, 3, 1, 2] : null, shape: target, post: outRank === 4 ? [0, 2, 3, 1] : null } },
    outShape,
  );
  return tensorVal(t);
}

// ---- constants ------------------------------------------------------------------------------

function constVal(dims: number[], values: ArrayLike<number>, integer: boolean): ConstVal {
  return { kind: 'const', dims, values: Float64Array.from(values), integer };
}

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** numpy broadcasting of two constants' shapes. */
function broadcastDims(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
    out.push(Math.max(x, y));
  }
  return out;
}

function broadcastTo(v: ConstVal, dims: number[]): Float64Array {
  const out = new Float64Array(size(dims));
  const r = dims.length;
  const src = [...new Array<number>(r - v.dims.length).fill(1), ...v.dims];
  const strides: number[] = [];
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    strides[i] = src[i] === 1 ? 0 : s;
    s *= src[i];
  }
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += idx[i] * strides[i];
    out[k] = v.values[off];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** The sub-array of `v` at the given indices per axis (row-major). */
function gatherConst(v: ConstVal, keep: number[][]): ConstVal {
  const dims = keep.map((k) => k.length);
  const strides = v.dims.map((_, i) => size(v.dims.slice(i + 1)));
  const out = new Float64Array(size(dims));
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let i = 0; i < dims.length; i++) off += keep[i][idx[i]] * strides[i];
    out[k] = v.values[off];
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return constVal(dims, out, v.integer);
}

function transposeConst(v: ConstVal, perm: number[]): ConstVal {
  const dims = perm.map((p) => v.dims[p]);
  const strides = v.dims.map((_, i) => size(v.dims.slice(i + 1)));
  const out = new Float64Array(size(dims));
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let i = 0; i < dims.length; i++) off += idx[i] * strides[perm[i]];
    out[k] = v.values[off];
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return constVal(dims, out, v.integer);
}

const CONST_BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
};

function constBinary(node: OnnxNode, ctx: BuildContext, a: ConstVal, b: ConstVal): ConstVal {
  if ([...a.values, ...b.values].some((x) => x === BATCH)) unsupported(ctx, node, 'arithmetic on the batch size');
  const dims = broadcastDims(a.dims, b.dims);
  const x = broadcastTo(a, dims);
  const y = broadcastTo(b, dims);
  const f = CONST_BINARY[node.op];
  const integer = a.integer && b.integer;
  return constVal(
    dims,
    x.map((v, i) => (integer && node.op === 'Div' ? Math.trunc(v / y[i]) : f(v, y[i]))),
    integer,
  );
}

function unsqueezeDims(dims: number[], axes: number[]): number[] {
  const r = dims.length + axes.length;
  const norm = new Set(axes.map((a) => axisOf(a, r)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(norm.has(i) ? 1 : dims[j++]);
  return out;
}

function axesOf(node: OnnxNode, ctx: BuildContext, i: number): number[] | undefined {
  const attr = attrInts(node, 'axes');
  if (attr) return attr;
  const c = optionalConst(ctx, node, i, 'axes');
  return c ? ints(c) : undefined;
}

// ---- elementwise ------------------------------------------------------------------------------

/** A constant operand in a 4-D NHWC value's layout (ONNX's [1, C, 1, 1] becomes [1, 1, 1, C]). */
function operand(c: ConstVal, rank: number): { shape: number[]; values: number[] } {
  if (rank !== 4 || c.dims.length === 0 || size(c.dims) === 1)
    return { shape: size(c.dims) === 1 ? [] : c.dims, values: size(c.dims) === 1 ? [c.values[0]] : [...c.values] };
  const d = [...new Array<number>(4 - c.dims.length).fill(1), ...c.dims];
  const t = transposeConst({ ...c, dims: d }, [0, 2, 3, 1]);
  return { shape: t.dims, values: [...t.values] };
}

function unaryRow(name: string, attrs: (node: OnnxNode) => OnnxOpConfig['attrs'] = () => ({})): Row {
  return (node, ctx) => {
    const x = tensorInput(ctx, node, 0);
    return { ...tensorVal(op(ctx, node, x, { fn: 'unary', attrs: { op: name, ...attrs(node) } }, rest(x.t)), x.flat) };
  };
}

function layerRow(make: (node: OnnxNode, name: string) => T.layers.Layer): Row {
  return (node, ctx) => {
    const x = tensorInput(ctx, node, 0);
    return tensorVal(apply(make(node, ctx.layerName(node)), x.t), x.flat);
  };
}

function binaryRow(name: 'add' | 'sub' | 'mul' | 'div' | 'pow'): Row {
  return (node, ctx) => {
    const a = input(ctx, node, 0);
    const b = input(ctx, node, 1);
    if (a.kind === 'const' && b.kind === 'const') return constBinary(node, ctx, a, b);
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      const x = a.flat && b.flat && a.flat.h === b.flat.h ? a : materialize(ctx, node, a);
      const y = a.flat && b.flat && a.flat.h === b.flat.h ? b : materialize(ctx, node, b);
      const same = x.t.shape.every((d, i) => d === y.t.shape[i]);
      if (name === 'add' && same) return tensorVal(apply(tf.layers.add({ name: ctx.layerName(node) }), [x.t, y.t]), x.flat);
      const outShape = broadcastDims(rest(x.t), rest(y.t));
      return tensorVal(op(ctx, node, [x, y], { fn: 'binary', attrs: { op: name } }, outShape), x.flat);
    }
    const constFirst = a.kind === 'const';
    const x0 = (constFirst ? b : a) as TensorVal;
    const k = (constFirst ? a : b) as ConstVal;
    if (k.initializer) ctx.notes.push(`${k.initializer} is used as a constant operand of ${node.name} (${node.op}); SalUn keeps it fixed.`);
    const x = size(k.dims) === 1 ? x0 : materialize(ctx, node, x0);
    const c = operand(k, x.t.shape.length);
    return tensorVal(op(ctx, node, x, { fn: 'binary', attrs: { op: name, constFirst }, constant: c }, rest(x.t)), x.flat);
  };
}

// ---- convolution and pooling -----------------------------------------------------------------------

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] as ONNX's pads. */
  pads: [number, number, number, number];
}

function windowOf(node: OnnxNode, ctx: BuildContext, x: TensorVal, kernel: [number, number]): Window {
  const strides = (attrInts(node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (attrInts(node, 'dilations') ?? [1, 1]) as [number, number];
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads = (attrInts(node, 'pads') ?? [0, 0, 0, 0]) as [number, number, number, number];
  if (kernel.length !== 2 || strides.length !== 2 || pads.length !== 4) unsupported(ctx, node, 'only 2-D windows (images) are supported');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const [, , h, w] = x.shape as number[];
    const total = [h, w].map((n, i) => Math.max((Math.ceil(n / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - n, 0));
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]);
    pads = autoPad === 'SAME_UPPER' ? [small[0], small[1], big[0], big[1]] : [big[0], big[1], small[0], small[1]];
  } else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  return { kernel, strides, dilations, pads };
}

/** 'same' only where TensorFlow's 'same' pads exactly as ONNX asks (stride 1, symmetric). */
function tfPadding(w: Window): 'same' | 'valid' | 'explicit' {
  const [t, l, b, r] = w.pads;
  if (t === 0 && l === 0 && b === 0 && r === 0) return 'valid';
  const sym = t === b && l === r && 2 * t === w.dilations[0] * (w.kernel[0] - 1) && 2 * l === w.dilations[1] * (w.kernel[1] - 1);
  return sym && w.strides[0] === 1 && w.strides[1] === 1 ? 'same' : 'explicit';
}

/** tf.pad's per-axis pairs of an NHWC value for ONNX's [top, left, bottom, right]. */
function nhwcPads([t, l, b, r]: Window['pads']): number[][] {
  return [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
}

function padded(ctx: BuildContext, node: OnnxNode, x: TensorVal, w: Window, value: number): TensorVal {
  const [t, l, b, r] = w.pads;
  if (value === 0)
    return tensorVal(
      apply(
        tf.layers.zeroPadding2d({
          padding: [
            [t, b],
            [l, r],
          ],
          name: ctx.layerName(node, 'pad'),
        }),
        x.t,
      ),
    );
  const [h, wd, c] = rest(x.t);
  return tensorVal(
    op(
      ctx,
      node,
      x,
      {
        fn: 'pad',
        attrs: {
          pads: nhwcPads(w.pads),
          value,
          mode: 'constant',
        },
      },
      [h + t + b, wd + l + r, c],
      'pad',
    ),
  );
}

function weightInput(ctx: BuildContext, node: OnnxNode, i: number, what: string): ConstVal & { initializer: string } {
  const w = constInput(ctx, node, i, what);
  if (!w.initializer)
    unsupported(
      ctx,
      node,
      `its ${what} is computed in the graph, not stored; SalUn trains stored weights only`,
      'Export with do_constant_folding=False and the weights as initializers.',
    );
  if ((ctx.readers.get(w.initializer) ?? 0) > 1)
    unsupported(ctx, node, `its ${what} ${w.initializer} is shared with another node; SalUn cannot train a shared weight yet`);
  return w as ConstVal & { initializer: string };
}

/** A bias: a stored initializer (trained), zeros (left out), or other computed values (an error). */
function biasInput(ctx: BuildContext, node: OnnxNode, i: number): (ConstVal & { initializer: string }) | undefined {
  const b = optionalConst(ctx, node, i, 'bias');
  if (!b) return undefined;
  if (!b.initializer && b.values.every((v) => v === 0)) return undefined;
  return weightInput(ctx, node, i, 'bias');
}

const conv: Row = (node, ctx) => {
  const x = materialize(ctx, node, tensorInput(ctx, node, 0));
  const W = weightInput(ctx, node, 1, 'weight');
  const B = biasInput(ctx, node, 2);
  if (W.dims.length !== 4) unsupported(ctx, node, `a ${W.dims.length - 2}-D convolution; SalUn reads 2-D convolutions (images)`);
  const [O, Ig, kh, kw] = W.dims;
  const groups = attrInt(node, 'group', 1);
  const C = x.t.shape[3] as number;
  const w = windowOf(node, ctx, x, [kh, kw]);
  const dilated = w.dilations[0] > 1 || w.dilations[1] > 1;
  // Dilated convolutions go through OnnxOp too: tfjs-layers' would have no gradient.
  const grouped = dilated || (groups !== 1 && !(groups === C && Ig === 1 && O % C === 0));
  const mode0 = tfPadding(w);
  // The grouped convolution runs tf.conv2d per group on an input padded beforehand.
  const mode = grouped && mode0 === 'same' ? 'explicit' : mode0;
  const input0 = mode === 'explicit' ? padded(ctx, node, x, w, 0) : x;
  const padding: 'same' | 'valid' = mode === 'same' ? 'same' : 'valid';
  const name = ctx.layerName(node);
  const fanIn = Ig * kh * kw;
  const common = {
    kernelSize: [kh, kw] as [number, number],
    strides: w.strides,
    dilationRate: w.dilations,
    padding: padding,
    useBias: B !== undefined,
    name,
  };
  const init = tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) });
  let t: T.SymbolicTensor;
  let transform: 'conv' | 'depthwise';
  if (groups === 1 && !grouped) {
    t = apply(tf.layers.conv2d({ ...common, filters: O, kernelInitializer: init, biasInitializer: init }), input0.t);
    transform = 'conv';
  } else if (!grouped) {
    t = apply(tf.layers.depthwiseConv2d({ ...common, depthMultiplier: O / C, depthwiseInitializer: init, biasInitializer: init }), input0.t);
    transform = 'depthwise';
  } else {
    if (C % groups !== 0 || O % groups !== 0) unsupported(ctx, node, `group ${groups} does not divide the ${C} input and ${O} output channels`);
    const [h, wd] = rest(input0.t);
    const oh = Math.floor((h - w.dilations[0] * (kh - 1) - 1) / w.strides[0]) + 1;
    const ow = Math.floor((wd - w.dilations[1] * (kw - 1) - 1) / w.strides[1]) + 1;
    const layer = onnxOp({ fn: 'groupConv', outShape: [oh, ow, O], attrs: { groups, strides: w.strides, dilations: w.dilations } }, name, {
      kernelShape: [kh, kw, Ig, O],
      useBias: B !== undefined,
    });
    t = apply(layer, input0.t);
    transform = 'conv';
  }
  ctx.bindings.push({ initializer: W.initializer, layer: name, weight: 0, transform, init: 'conv-weight', fanIn });
  if (B) ctx.bindings.push({ initializer: B.initializer, layer: name, weight: 1, transform: 'same', init: 'conv-bias', fanIn });
  return tensorVal(t);
};

const batchNorm: Row = (node, ctx) => {
  for (const o of node.outputs.slice(1))
    if (o && (ctx.readers.get(o) ?? 0) > 0) unsupported(ctx, node, `its running-statistics output ${o} is read by another node`);
  const x = materialize(ctx, node, tensorInput(ctx, node, 0));
  if (x.shape.length !== 4 && x.shape.length !== 2)
    unsupported(ctx, node, `batch norm over a rank-${x.shape.length} value; SalUn reads BatchNorm2d and BatchNorm1d on [N, C]`);
  const parts = ['scale', 'bias', 'running mean', 'running variance'].map((what, i) => weightInput(ctx, node, i + 1, what));
  const name = ctx.layerName(node);
  const layer = tf.layers.batchNormalization({ axis: -1, momentum: attrFloat(node, 'momentum', 0.9), epsilon: attrFloat(node, 'epsilon', 1e-5), name });
  const t = apply(layer, x.t);
  const inits = ['ones', 'zeros', 'zeros', 'ones'] as const;
  parts.forEach((p, i) => ctx.bindings.push({ initializer: p.initializer, layer: name, weight: i, transform: 'same', init: inits[i] }));
  return tensorVal(t);
};

const gemm: Row = (node, ctx) => {
  const a = tensorInput(ctx, node, 0);
  if (a.shape.length !== 2) unsupported(ctx, node, `a product of a rank-${a.shape.length} value; SalUn reads Linear layers on [N, features]`);
  if (attrInt(node, 'transA', 0) !== 0 || attrFloat(node, 'alpha', 1) !== 1 || attrFloat(node, 'beta', 1) !== 1)
    unsupported(ctx, node, "transA, alpha or beta other than PyTorch Linear's");
  const transB = node.op === 'Gemm' && attrInt(node, 'transB', 0) === 1;
  const W = weightInput(ctx, node, 1, 'weight');
  const B = node.op === 'Gemm' ? biasInput(ctx, node, 2) : undefined;
  const [inUnits, units] = transB ? [W.dims[1], W.dims[0]] : [W.dims[0], W.dims[1]];
  const name = ctx.layerName(node);
  const init = tf.initializers.randomUniform({ minval: -1 / Math.sqrt(inUnits), maxval: 1 / Math.sqrt(inUnits) });
  const t = apply(tf.layers.dense({ units, useBias: B !== undefined, name, kernelInitializer: init, biasInitializer: init }), a.t);
  ctx.bindings.push({
    initializer: W.initializer,
    layer: name,
    weight: 0,
    transform: transB ? 'transpose' : 'same',
    init: 'linear-weight',
    fanIn: inUnits,
    ...(a.flat ? { flat: a.flat } : {}),
  });
  if (B) ctx.bindings.push({ initializer: B.initializer, layer: name, weight: 1, transform: 'same', init: 'linear-bias', fanIn: inUnits });
  return tensorVal(t);
};

function pool(kind: 'max' | 'avg'): Row {
  return (node, ctx) => {
    const x = materialize(ctx, node, tensorInput(ctx, node, 0));
    const kernel = attrInts(node, 'kernel_shape') as [number, number];
    const w = windowOf(node, ctx, x, kernel);
    if (w.dilations.some((d) => d !== 1)) unsupported(ctx, node, 'dilated pooling');
    for (const o of node.outputs.slice(1)) if (o && (ctx.readers.get(o) ?? 0) > 0) unsupported(ctx, node, 'its indices output is read');
    if (attrInt(node, 'ceil_mode', 0) === 1) {
      const [, , h, wd] = x.shape as number[];
      const fl = [h, wd].map((n, i) => Math.floor((n + w.pads[i] + w.pads[i + 2] - kernel[i]) / w.strides[i]));
      const ce = [h, wd].map((n, i) => Math.ceil((n + w.pads[i] + w.pads[i + 2] - kernel[i]) / w.strides[i]));
      if (fl[0] !== ce[0] || fl[1] !== ce[1])
        unsupported(ctx, node, 'ceil_mode=1 at a size where it adds a window', 'Use ceil_mode=False in the network, or input sizes where both modes agree.');
    }
    const mode = tfPadding(w);
    const name = ctx.layerName(node);
    const args = { poolSize: w.kernel, strides: w.strides, name };
    if (kind === 'max') {
      const src = mode === 'explicit' ? padded(ctx, node, x, w, -F32_MAX) : x;
      return tensorVal(apply(tf.layers.maxPooling2d({ ...args, padding: mode === 'same' ? 'same' : 'valid' }), src.t));
    }
    const includePad = attrInt(node, 'count_include_pad', 0) === 1;
    if (mode === 'valid') return tensorVal(apply(tf.layers.averagePooling2d({ ...args, padding: 'valid' }), x.t));
    if (includePad) return tensorVal(apply(tf.layers.averagePooling2d({ ...args, padding: 'valid' }), padded(ctx, node, x, w, 0).t));
    // Not tfjs's 'same' average pool: its forward divides border windows by their valid count but its
    // gradient by the whole window, so border gradients came out wrong (measured on the op zoo).
    const [t, l, b, r] = w.pads;
    const [h, wd, c] = rest(x.t);
    const oh = Math.floor((h + t + b - kernel[0]) / w.strides[0]) + 1;
    const ow = Math.floor((wd + l + r - kernel[1]) / w.strides[1]) + 1;
    return tensorVal(
      op(
        ctx,
        node,
        x,
        {
          fn: 'avgPoolExcludingPad',
          attrs: {
            pads: nhwcPads(w.pads),
            kernel: w.kernel,
            strides: w.strides,
          },
        },
        [oh, ow, c],
      ),
    );
  };
}

function globalPool(kind: 'avg' | 'max', keep: boolean): (node: OnnxNode, ctx: BuildContext, x: TensorVal) => TensorVal {
  return (node, ctx, x) => {
    const c = x.t.shape[3] as number;
    const layer =
      kind === 'avg' ? tf.layers.globalAveragePooling2d({ name: ctx.layerName(node) }) : tf.layers.globalMaxPooling2d({ name: ctx.layerName(node) });
    const pooled = apply(layer, x.t);
    return keep ? tensorVal(apply(tf.layers.reshape({ targetShape: [1, 1, c], name: ctx.layerName(node, 'keepdims') }), pooled)) : tensorVal(pooled);
  };
}

function reduceRow(kind: 'mean' | 'sum' | 'max'): Row {
  return (node, ctx) => {
    const x = materialize(ctx, node, tensorInput(ctx, node, 0));
    const r = x.shape.length;
    const axes = (axesOf(node, ctx, 1) ?? [...Array(r).keys()]).map((a) => axisOf(a, r));
    const keep = attrInt(node, 'keepdims', 1) === 1;
    if (r === 4 && kind !== 'sum' && axes.length === 2 && axes.includes(2) && axes.includes(3))
      return globalPool(kind === 'mean' ? 'avg' : 'max', keep)(node, ctx, x);
    if (axes.includes(0)) unsupported(ctx, node, 'a reduction over the batch');
    const tfAxes = axes.map((a) => tfAxis(a, r));
    const left = [...Array(r).keys()].filter((a) => !axes.includes(a));
    if (!keep && r === 4 && left.length > 1 && !(left.length === 2 && left[1] === 1) && left.includes(1) && left.length < 4)
      unsupported(ctx, node, 'a reduction whose result mixes channels and positions');
    const outOnnx = x.shape.map((d, i) => (axes.includes(i) ? 1 : (d as number))).slice(1);
    const kept = keep
      ? outOnnx
      : x.shape
          .slice(1)
          .filter((_, i) => !axes.includes(i + 1))
          .map((d) => d as number);
    const outShape = keep && r === 4 ? [outOnnx[1], outOnnx[2], outOnnx[0]] : kept;
    return tensorVal(op(ctx, node, x, { fn: 'reduce', attrs: { op: kind, axes: tfAxes, keepDims: keep } }, outShape));
  };
}

function softmaxRow(log: boolean): Row {
  return (node, ctx) => {
    const x = materialize(ctx, node, tensorInput(ctx, node, 0));
    const r = x.shape.length;
    const axis = tfAxis(axisOf(attrInt(node, 'axis', -1), r), r);
    if (axis === 0) unsupported(ctx, node, 'a softmax over the batch');
    if (!log && axis === r - 1) return tensorVal(apply(tf.layers.softmax({ name: ctx.layerName(node) }), x.t));
    if (log && axis === r - 1) return tensorVal(op(ctx, node, x, { fn: 'unary', attrs: { op: 'logSoftmax' } }, rest(x.t)));
    if (log) unsupported(ctx, node, 'LogSoftmax over an axis other than the last');
    return tensorVal(op(ctx, node, x, { fn: 'softmax', attrs: { axis } }, rest(x.t)));
  };
}

/** Resolves Reshape's target (without the batch) against the input's per-sample size. */
function reshapeTarget(node: OnnxNode, ctx: BuildContext, x: TensorVal, target: number[]): number[] {
  const dims = onnxRest(x);
  const per = size(dims);
  const first = target[0];
  let restDims: number[];
  const batchFixed = ctx.graph.inputs[0].dims[0];
  if (first === BATCH || first === 0) restDims = target.slice(1);
  else if (first === -1 && target.slice(1).every((d) => d > 0) && size(target.slice(1)) === per) restDims = target.slice(1);
  else if (first > 0 && first === batchFixed) {
    ctx.notes.push(`${node.name} reshapes to a fixed batch of ${first} (the export's); SalUn treats that dimension as the batch.`);
    restDims = target.slice(1);
  } else
    return unsupported(
      ctx,
      node,
      `a reshape to [${target.map((d) => (d === BATCH ? 'N' : d)).join(', ')}] that does not keep the batch first`,
      'Export with a dynamic batch dimension (dynamic_axes / dynamic_shapes), and reshape with x.view(x.size(0), -1) or torch.flatten(x, 1).',
    );
  if (restDims.includes(BATCH)) unsupported(ctx, node, 'a reshape that moves the batch dimension');
  const resolved = restDims.map((d, i) => (d === 0 ? dims[i] : d));
  const known = resolved.filter((d) => d !== -1);
  if (resolved.filter((d) => d === -1).length > 1) unsupported(ctx, node, 'a reshape with two -1 dimensions');
  const filled = resolved.map((d) => (d === -1 ? per / size(known) : d));
  if (size(filled) !== per || filled.some((d) => !Number.isInteger(d)))
    unsupported(ctx, node, `a reshape of ${per} values per sample to [${restDims.join(', ')}]`);
  return filled;
}

// ---- the table --------------------------------------------------------------------------------

const passThrough: Row = (node, ctx) => input(ctx, node, 0);

export const OPS: Record<string, Row> = {
  Conv: conv,
  BatchNormalization: batchNorm,
  Gemm: gemm,
  MatMul: (node, ctx) => {
    const b = input(ctx, node, 1);
    if (b.kind !== 'const') unsupported(ctx, node, 'a product of two activations');
    return gemm(node, ctx);
  },
  Relu: layerRow((_n, name) => tf.layers.reLU({ name })),
  LeakyRelu: layerRow((n, name) => tf.layers.leakyReLU({ alpha: attrFloat(n, 'alpha', 0.01), name })),
  Sigmoid: layerRow((_n, name) => tf.layers.activation({ activation: 'sigmoid', name })),
  Tanh: layerRow((_n, name) => tf.layers.activation({ activation: 'tanh', name })),
  Clip: (node, ctx) => {
    const x = tensorInput(ctx, node, 0);
    const lo = optionalConst(ctx, node, 1, 'min');
    const hi = optionalConst(ctx, node, 2, 'max');
    const min = lo ? lo.values[0] : attrFloat(node, 'min', -F32_MAX);
    const max = hi ? hi.values[0] : attrFloat(node, 'max', F32_MAX);
    if (min === 0 && max === 6) return tensorVal(apply(tf.layers.reLU({ maxValue: 6, name: ctx.layerName(node) }), x.t), x.flat);
    if (min === 0 && max >= F32_MAX) return tensorVal(apply(tf.layers.reLU({ name: ctx.layerName(node) }), x.t), x.flat);
    return tensorVal(op(ctx, node, x, { fn: 'unary', attrs: { op: 'clip', min: Math.max(min, -F32_MAX), max: Math.min(max, F32_MAX) } }, rest(x.t)), x.flat);
  },
  HardSigmoid: unaryRow('hardSigmoid', (n) => ({ alpha: attrFloat(n, 'alpha', 0.2), beta: attrFloat(n, 'beta', 0.5) })),
  HardSwish: unaryRow('hardSwish'),
  Gelu: (node, ctx) => unaryRow(attrString(node, 'approximate', 'none') === 'tanh' ? 'geluTanh' : 'gelu')(node, ctx),
  Erf: unaryRow('erf'),
  Elu: unaryRow('elu', (n) => ({ alpha: attrFloat(n, 'alpha', 1) })),
  Selu: unaryRow('selu'),
  Softplus: unaryRow('softplus'),
  Neg: (node, ctx) => {
    const x = input(ctx, node, 0);
    return x.kind === 'const'
      ? constVal(
          x.dims,
          x.values.map((v) => -v),
          x.integer,
        )
      : unaryRow('neg')(node, ctx);
  },
  Sqrt: (node, ctx) => {
    const x = input(ctx, node, 0);
    return x.kind === 'const' ? constVal(x.dims, x.values.map(Math.sqrt), false) : unaryRow('sqrt')(node, ctx);
  },
  Exp: unaryRow('exp'),
  Log: unaryRow('log'),
  Abs: unaryRow('abs'),
  Reciprocal: unaryRow('reciprocal'),
  Add: binaryRow('add'),
  Sub: binaryRow('sub'),
  Mul: binaryRow('mul'),
  Div: binaryRow('div'),
  Pow: binaryRow('pow'),
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: (node, ctx) => globalPool('avg', true)(node, ctx, materialize(ctx, node, tensorInput(ctx, node, 0))),
  GlobalMaxPool: (node, ctx) => globalPool('max', true)(node, ctx, materialize(ctx, node, tensorInput(ctx, node, 0))),
  ReduceMean: reduceRow('mean'),
  ReduceSum: reduceRow('sum'),
  ReduceMax: reduceRow('max'),
  Softmax: softmaxRow(false),
  LogSoftmax: softmaxRow(true),
  Dropout: (node, ctx) => {
    for (const o of node.outputs.slice(1)) if (o && (ctx.readers.get(o) ?? 0) > 0) unsupported(ctx, node, 'its mask output is read');
    const ratio = optionalConst(ctx, node, 1, 'ratio');
    const rate = ratio ? ratio.values[0] : attrFloat(node, 'ratio', 0.5);
    return layerRow((_n, name) => tf.layers.dropout({ rate, name }))(node, ctx);
  },
  Identity: passThrough,
  Flatten: (node, ctx) => {
    const v = input(ctx, node, 0);
    const axis = attrInt(node, 'axis', 1);
    if (v.kind === 'const') return constVal([size(v.dims.slice(0, axis)), size(v.dims.slice(axis))], v.values, v.integer);
    if (axis !== 1) unsupported(ctx, node, `Flatten with axis ${axis}; SalUn reads axis=1 (torch.flatten(x, 1))`);
    if (v.shape.length === 2) return v;
    return reshapeTo(ctx, node, v, [size(onnxRest(v))]);
  },
  Reshape: (node, ctx) => {
    const v = input(ctx, node, 0);
    const target = ints(constInput(ctx, node, 1, 'target shape'));
    if (v.kind === 'const') {
      const n = size(v.dims);
      const known = target.map((d, i) => (d === 0 ? v.dims[i] : d));
      const dims = known.map((d) => (d === -1 ? n / size(known.filter((k) => k !== -1)) : d));
      return constVal(dims, v.values, v.integer);
    }
    return reshapeTo(ctx, node, v, reshapeTarget(node, ctx, v, target));
  },
  Squeeze: (node, ctx) => {
    const v = input(ctx, node, 0);
    const dims = v.kind === 'const' ? v.dims : v.shape.map((d) => d ?? -1);
    const axes = (axesOf(node, ctx, 1) ?? dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => axisOf(a, dims.length));
    const out = dims.filter((_, i) => !axes.includes(i));
    if (v.kind === 'const') return constVal(out, v.values, v.integer);
    if (axes.includes(0)) unsupported(ctx, node, 'squeezing the batch dimension');
    return reshapeTo(ctx, node, v, out.slice(1));
  },
  Unsqueeze: (node, ctx) => {
    const v = input(ctx, node, 0);
    const axes = axesOf(node, ctx, 1) ?? [];
    const dims = v.kind === 'const' ? v.dims : v.shape.map((d) => d ?? -1);
    const out = unsqueezeDims(dims, axes);
    if (v.kind === 'const') return constVal(out, v.values, v.integer);
    if (out[0] !== -1) unsupported(ctx, node, 'unsqueezing before the batch dimension');
    return reshapeTo(ctx, node, v, out.slice(1));
  },
  Transpose: (node, ctx) => {
    const v0 = input(ctx, node, 0);
    if (v0.kind === 'const') {
      const perm = attrInts(node, 'perm') ?? [...Array(v0.dims.length).keys()].reverse();
      return transposeConst(v0, perm);
    }
    const v = materialize(ctx, node, v0);
    const r = v.shape.length;
    const perm = attrInts(node, 'perm') ?? [...Array(r).keys()].reverse();
    if (perm[0] !== 0) unsupported(ctx, node, 'a transpose that moves the batch dimension');
    const L = r === 4 ? [0, 2, 3, 1] : [...Array(r).keys()];
    const Linv = r === 4 ? [0, 3, 1, 2] : [...Array(r).keys()];
    const q = L.map((_, i) => Linv[perm[L[i]]]);
    if (q.every((a, i) => a === i)) return v;
    const shape = v.t.shape;
    return tensorVal(
      op(
        ctx,
        node,
        v,
        { fn: 'transpose', attrs: { perm: q } },
        q.slice(1).map((a) => shape[a] as number),
      ),
    );
  },
  Concat: (node, ctx) => {
    const vs = node.inputs.map((_, i) => input(ctx, node, i));
    const axis = attrInt(node, 'axis', 0);
    if (vs.every((v) => v.kind === 'const')) {
      const cs = vs;
      if (cs.some((c) => c.dims.length !== 1) && cs.length > 1) {
        if (axisOf(axis, cs[0].dims.length) !== 0) unsupported(ctx, node, 'a concatenation of constants along an inner axis');
      }
      const dims = [...cs[0].dims];
      dims[0] = cs.reduce((n, c) => n + c.dims[0], 0);
      return constVal(
        dims,
        cs.flatMap((c) => [...c.values]),
        cs.every((c) => c.integer),
      );
    }
    if (vs.some((v) => v.kind === 'const')) unsupported(ctx, node, 'a concatenation of activations with constants');
    const ts = (vs as TensorVal[]).map((v) => materialize(ctx, node, v));
    const r = ts[0].shape.length;
    const a = axisOf(axis, r);
    if (a === 0) unsupported(ctx, node, 'a concatenation along the batch');
    return tensorVal(
      apply(
        tf.layers.concatenate({ axis: tfAxis(a, r), name: ctx.layerName(node) }),
        ts.map((t) => t.t),
      ),
    );
  },
  Pad: (node, ctx) => {
    const x = materialize(ctx, node, tensorInput(ctx, node, 0));
    const r = x.shape.length;
    const pads = ints(constInput(ctx, node, 1, 'pads'));
    const value = optionalConst(ctx, node, 2, 'constant value')?.values[0] ?? 0;
    const axes = (optionalConst(ctx, node, 3, 'axes') ? ints(constInput(ctx, node, 3, 'axes')) : [...Array(r).keys()]).map((a) => axisOf(a, r));
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect') unsupported(ctx, node, `padding mode ${mode}; SalUn reads constant and reflect`);
    const perAxis: number[][] = Array.from({ length: r }, () => [0, 0]);
    axes.forEach((a, i) => (perAxis[tfAxis(a, r)] = [pads[i], pads[i + axes.length]]));
    if (perAxis[0][0] !== 0 || perAxis[0][1] !== 0) unsupported(ctx, node, 'padding the batch');
    if (perAxis.flat().some((p) => p < 0)) unsupported(ctx, node, 'negative padding (cropping)');
    const outShape = rest(x.t).map((d, i) => d + perAxis[i + 1][0] + perAxis[i + 1][1]);
    return tensorVal(op(ctx, node, x, { fn: 'pad', attrs: { pads: perAxis, value, mode } }, outShape));
  },
  // ---- constants and shape arithmetic (never activations) ----
  Constant: (node, ctx) => {
    const t = node.attrs.get('value');
    if (t && typeof t === 'object' && !Array.isArray(t)) return { kind: 'const', dims: t.dims, values: t.values, integer: !t.dtype.startsWith('float') };
    const f = node.attrs.get('value_float');
    if (typeof f === 'number') return constVal([], [f], false);
    const i = node.attrs.get('value_int');
    if (typeof i === 'number') return constVal([], [i], true);
    const is = attrInts(node, 'value_ints');
    if (is) return constVal([is.length], is, true);
    const fs = node.attrs.get('value_floats');
    if (Array.isArray(fs)) return constVal([fs.length], fs as number[], false);
    return unsupported(ctx, node, 'a Constant without a numeric value');
  },
  Shape: (node, ctx) => {
    const v = input(ctx, node, 0);
    const dims: number[] = v.kind === 'const' ? v.dims : v.shape.map((d, i) => (i === 0 ? BATCH : (d as number)));
    const r = dims.length;
    const start = axisOf(attrInt(node, 'start', 0), r);
    const end = node.attrs.has('end') ? axisOf(attrInt(node, 'end', r), r) : r;
    const out = dims.slice(Math.max(0, start), Math.min(r, end));
    return constVal([out.length], out, true);
  },
  Gather: (node, ctx) => {
    const data = constInput(ctx, node, 0, 'data');
    const idx = constInput(ctx, node, 1, 'indices');
    const axis = axisOf(attrInt(node, 'axis', 0), data.dims.length);
    if (axis !== 0 || data.dims.length !== 1) unsupported(ctx, node, 'a Gather other than of a shape vector');
    const out = [...idx.values].map((i) => data.values[i < 0 ? i + data.dims[0] : i]);
    return constVal(idx.dims, out, data.integer);
  },
  Slice: (node, ctx) => {
    const data = constInput(ctx, node, 0, 'data');
    const r = data.dims.length;
    const starts = ints(constInput(ctx, node, 1, 'starts'));
    const ends = ints(constInput(ctx, node, 2, 'ends'));
    const axes = (optionalConst(ctx, node, 3, 'axes') ? ints(constInput(ctx, node, 3, 'axes')) : starts.map((_, i) => i)).map((a) => axisOf(a, r));
    const steps = optionalConst(ctx, node, 4, 'steps') ? ints(constInput(ctx, node, 4, 'steps')) : starts.map(() => 1);
    // Per axis, the kept indices (numpy semantics, negative steps included: F.pad's chain reverses).
    const keep: number[][] = data.dims.map((n) => [...Array(n).keys()]);
    axes.forEach((a, i) => {
      const n = data.dims[a];
      const step = steps[i];
      if (step === 0) unsupported(ctx, node, 'a Slice with step 0');
      const norm = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
      const from = step > 0 ? norm(starts[i], 0, n) : norm(starts[i], -1, n - 1);
      const to = step > 0 ? norm(ends[i], 0, n) : norm(ends[i], -1, n - 1);
      const idx: number[] = [];
      for (let k = from; step > 0 ? k < to : k > to; k += step) idx.push(k);
      keep[a] = idx;
    });
    return gatherConst(data, keep);
  },
  Cast: (node, ctx) => {
    const v = input(ctx, node, 0);
    const to = attrInt(node, 'to', 1);
    const integer = ![1, 10, 11, 16].includes(to);
    if (v.kind === 'const') return constVal(v.dims, integer ? v.values.map(Math.trunc) : v.values, integer);
    if (integer) unsupported(ctx, node, 'a cast of activations to an integer type');
    return v;
  },
  CastLike: (node, ctx) => {
    const v = input(ctx, node, 0);
    const like = input(ctx, node, 1);
    if (v.kind !== 'const') return v;
    const integer = like.kind === 'const' ? like.integer : false;
    return constVal(v.dims, integer ? v.values.map(Math.trunc) : v.values, integer);
  },
  Expand: (node, ctx) => {
    const v = constInput(ctx, node, 0, 'data');
    const shape = ints(constInput(ctx, node, 1, 'shape'));
    if (shape.includes(BATCH)) unsupported(ctx, node, 'an Expand to the batch size');
    const dims = broadcastDims(v.dims, shape);
    return constVal(dims, broadcastTo(v, dims), v.integer);
  },
  ConstantOfShape: (node, ctx) => {
    const shape = ints(constInput(ctx, node, 0, 'shape'));
    if (shape.includes(BATCH)) unsupported(ctx, node, 'a constant of the batch size');
    const t = node.attrs.get('value');
    const fill = t && typeof t === 'object' && !Array.isArray(t) ? t.values[0] : 0;
    return constVal(shape, new Float64Array(size(shape)).fill(fill), t && typeof t === 'object' && !Array.isArray(t) ? !t.dtype.startsWith('float') : false);
  },
};

export const SUPPORTED_OPS = Object.keys(OPS).sort();
