// What the importer knows about each ONNX value while it builds the tfjs model: either a symbolic
// tfjs tensor (with its layout: 4-D values run NHWC, every other rank in ONNX's own order) or a
// constant it can compute now (initializers not bound as weights, Constant nodes, and the shape
// arithmetic exporters emit: Shape → Gather → Unsqueeze → Concat → Reshape). A shape vector may
// hold the batch dimension, which is only known when a batch runs: it is the symbol BATCH.
import { UserError } from '../../../store/errors';
import type { T } from '../../tf';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnxFile';

/** The batch dimension inside a constant shape vector. */
export const BATCH = -Infinity;

export interface ConstVal {
  kind: 'const';
  dims: number[];
  /** Values in ONNX order; integer shape vectors may hold BATCH. */
  values: Float64Array | Float32Array;
  integer: boolean;
  /** Set when the constant is an initializer (the only constants a run may train). */
  initializer?: string;
}

/** A 2-D value made by flattening an NHWC map: its features are in (h, w, c) order, ONNX's in (c, h, w). */
export interface FlatOrder {
  h: number;
  w: number;
  c: number;
}

export interface TensorVal {
  kind: 'tensor';
  t: T.SymbolicTensor;
  /** ONNX's shape of the value (batch first, as null). */
  shape: Array<number | null>;
  /** Present on a flattened NHWC map whose order the next Gemm's weights absorb. */
  flat?: FlatOrder;
}

export type Val = ConstVal | TensorVal;

/** How an initializer becomes a tfjs weight, and back: written to the model's metadata for export. */
export interface Binding {
  initializer: string;
  layer: string;
  /** Index into the layer's getWeights(). */
  weight: number;
  /** ONNX layout → tfjs layout. */
  transform: 'same' | 'conv' | 'depthwise' | 'transpose';
  /** Dense kernels fed by a flattened NHWC map: rows reordered (c, h, w) → (h, w, c). */
  flat?: FlatOrder;
  /** PyTorch's initialisation for Retrain: the tensor's role. */
  init: 'conv-weight' | 'conv-bias' | 'linear-weight' | 'linear-bias' | 'ones' | 'zeros';
  /** fan-in for the uniform bounds of conv/linear weights and biases. */
  fanIn?: number;
}

export interface BuildContext {
  graph: OnnxGraph;
  vals: Map<string, Val>;
  bindings: Binding[];
  notes: string[];
  /** How many nodes read each value: an initializer read twice cannot be one trainable weight. */
  readers: Map<string, number>;
  /** A unique tfjs layer name for a node (and an optional suffix). */
  layerName(node: OnnxNode, suffix?: string): string;
}

export function unsupported(ctx: BuildContext, node: OnnxNode, why: string, hint?: string): never {
  const ins = node.inputs.map((i) => describe(ctx, i)).join(', ');
  throw new UserError(
    `${ctx.graph.path}: node ${node.name} (${node.op}) with inputs ${ins}: ${why}`,
    hint ??
      'Export the model without this construct, or replace the layer with a supported one; "Bring your PyTorch model" in the docs lists what SalUn reads.',
    ctx.graph.path,
  );
}

function describe(ctx: BuildContext, name: string): string {
  const v = ctx.vals.get(name);
  if (!name) return '(none)';
  if (!v) return name;
  return v.kind === 'const' ? `${name} (constant [${v.dims.join(', ')}])` : `${name} [${v.shape.map((d) => d ?? 'N').join(', ')}]`;
}

export function constOf(t: OnnxTensor, initializer?: string): ConstVal {
  const integer = !(t.dtype === 'float32' || t.dtype === 'float64' || t.dtype === 'float16');
  return { kind: 'const', dims: t.dims, values: t.values, integer, ...(initializer ? { initializer } : {}) };
}

export function input(ctx: BuildContext, node: OnnxNode, i: number): Val {
  const name = node.inputs[i];
  const v = name ? ctx.vals.get(name) : undefined;
  if (!v) unsupported(ctx, node, `input ${i + 1} (${name || 'none'}) is missing`);
  return v;
}

export function tensorInput(ctx: BuildContext, node: OnnxNode, i: number): TensorVal {
  const v = input(ctx, node, i);
  if (v.kind !== 'tensor') unsupported(ctx, node, `input ${i + 1} is a constant where SalUn expects the network's activations`);
  return v;
}

export function constInput(ctx: BuildContext, node: OnnxNode, i: number, what: string): ConstVal {
  const v = input(ctx, node, i);
  if (v.kind !== 'const') unsupported(ctx, node, `its ${what} (input ${i + 1}) is computed from the activations; SalUn needs it constant`);
  return v;
}

export function optionalConst(ctx: BuildContext, node: OnnxNode, i: number, what: string): ConstVal | undefined {
  return node.inputs[i] ? constInput(ctx, node, i, what) : undefined;
}

export function ints(v: ConstVal): number[] {
  return [...v.values];
}

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attrs.get(name);
  return typeof a === 'number' ? a : fallback;
}

export function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attrs.get(name);
  return typeof a === 'number' ? a : fallback;
}

export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a = node.attrs.get(name);
  return Array.isArray(a) && a.every((x) => typeof x === 'number') ? a : undefined;
}

export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const a = node.attrs.get(name);
  return typeof a === 'string' ? a : fallback;
}

/** An ONNX tensor's shape from its tfjs symbolic shape and layout. */
export function onnxShapeOf(t: T.SymbolicTensor): Array<number | null> {
  const s = t.shape;
  return s.length === 4 ? [s[0], s[3], s[1], s[2]] : [...s];
}

export function tensorVal(t: T.SymbolicTensor, flat?: FlatOrder): TensorVal {
  return { kind: 'tensor', t, shape: onnxShapeOf(t), ...(flat ? { flat } : {}) };
}

/** Normalises an ONNX axis of a rank-r value. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The tfjs axis of an ONNX axis: for 4-D NHWC values C moves last. */
export function tfAxis(onnxAxis: number, rank: number): number {
  if (rank !== 4) return onnxAxis;
  return [0, 3, 1, 2][onnxAxis];
}
