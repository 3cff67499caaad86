// An ONNX classifier as a trainable tfjs LayersModel: the graph is walked once in order, each node
// built by its row of the op table (ops.ts), and each stored weight (initializer) copied into the
// tfjs weight it became, transposed from PyTorch's layouts (OIHW kernels, [out, in] Linear weights)
// once here. The bindings say where every initializer went, so the trained model can be written
// back into the user's own graph (rewriteOnnx.ts) and as a PyTorch state_dict.
import { UserError } from '../../../store/errors';
import { tf, type T } from '../../tf';
import { constOf, tensorVal, type Binding, type BuildContext, type FlatOrder, type Val } from './graphValues';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnxFile';
import { materialize, OPS, SUPPORTED_OPS } from './ops';
import { permuteValues } from '../weightReads';

export interface OnnxImport {
  model: T.LayersModel;
  bindings: Binding[];
  /** Things the user should know (a constant kept fixed, a fixed export batch, folded batch norm). */
  notes: string[];
}

/** Layer names from the PyTorch module a node's weight belongs to ("layer1.0.conv1"), else the node's name. */
function layerNamer(graph: OnnxGraph): (node: OnnxNode, suffix?: string) => string {
  const used = new Set<string>();
  const weightOf = (node: OnnxNode): string | undefined =>
    node.inputs.slice(1).find((i) => graph.initializers.has(i) && /\.weight$/.test(i) && graph.initializers.get(i)!.dims.length >= 1);
  return (node, suffix) => {
    const w = weightOf(node);
    const base0 = (w ? w.replace(/\.weight$/, '') : node.name || node.op).replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[_.-]+/, '') || node.op;
    const base = suffix ? `${base0}_${suffix}` : base0;
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}

/** The values of `t` in the tfjs layout of the binding. */
function toTfjs(t: OnnxTensor, b: Binding, target: number[]): T.Tensor {
  const v = t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
  const d = t.dims;
  // Tensors out of the tidy, never typed arrays: tidy walks a returned array element by element.
  return tf.tidy(() => {
    let x: T.Tensor = tf.tensor(v, d.length ? d : [v.length]);
    if (b.transform === 'conv') x = tf.transpose(x, [2, 3, 1, 0]);
    else if (b.transform === 'depthwise') {
      const [kh, kw, c, m] = target;
      x = tf.transpose(tf.reshape(x, [c, m, kh, kw]), [2, 3, 0, 1]);
    } else if (b.transform === 'transpose') x = tf.transpose(x);
    if (b.flat) x = permuteRows(x as T.Tensor2D, b.flat, 'toTfjs');
    return tf.reshape(x, target);
  });
}

/** Rows of a dense kernel [in, out] between ONNX's (c, h, w) order and tfjs's (h, w, c). */
export function permuteRows(k: T.Tensor2D, f: FlatOrder, dir: 'toTfjs' | 'toOnnx'): T.Tensor2D {
  const units = k.shape[1];
  return tf.tidy(() => {
    if (dir === 'toTfjs') return tf.reshape<T.Rank.R2>(tf.transpose(tf.reshape(k, [f.c, f.h, f.w, units]), [1, 2, 0, 3]), [f.h * f.w * f.c, units]);
    return tf.reshape<T.Rank.R2>(tf.transpose(tf.reshape(k, [f.h, f.w, f.c, units]), [2, 0, 1, 3]), [f.c * f.h * f.w, units]);
  });
}

/** Builds the tfjs model of a parsed graph; weights copied from the initializers. */
export function importOnnx(graph: OnnxGraph): OnnxImport {
  const readers = new Map<string, number>();
  // Shape reads only a value's dimensions (the dynamo exporter reads weights so): not a second use.
  for (const n of graph.nodes) if (n.op !== 'Shape') for (const i of n.inputs) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const o of graph.outputs) readers.set(o, (readers.get(o) ?? 0) + 1);
  const ctx: BuildContext = { graph, vals: new Map<string, Val>(), bindings: [], notes: [], readers, layerName: layerNamer(graph) };
  // Every op outside the table is named before anything is built.
  const unknown = graph.nodes.filter((n) => (n.domain && n.domain !== 'ai.onnx') || !Object.hasOwn(OPS, n.op));
  if (unknown.length > 0) {
    const n = unknown[0];
    const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more node(s): ${[...new Set(unknown.map((u) => u.op))].join(', ')})` : '';
    throw new UserError(
      `${graph.path}: node ${n.name} uses op ${n.domain ? `${n.domain}.` : ''}${n.op} with inputs ${n.inputs.join(', ')}, which SalUn cannot train${more}.`,
      `SalUn reads ${SUPPORTED_OPS.join(', ')}. Replace the layer in the network (or export without it) and export again; "Bring your PyTorch model" in the docs says how.`,
      graph.path,
    );
  }
  for (const [name, t] of graph.initializers) ctx.vals.set(name, constOf(t, name));
  const inputInfo = graph.inputs[0];
  const dims = inputInfo.dims.slice(1);
  if (dims.some((d) => typeof d !== 'number'))
    throw new UserError(
      `${graph.path}: the input ${inputInfo.name} has shape [${inputInfo.dims.map((d) => d ?? '?').join(', ')}]; SalUn needs every dimension but the batch fixed`,
      'Export with a fixed image size (only the batch dynamic).',
      graph.path,
    );
  const d = dims as number[];
  if (d.length !== 3 && d.length !== 1)
    throw new UserError(
      `${graph.path}: the input has rank ${d.length + 1}; SalUn reads images [N, C, H, W] or vectors [N, F]`,
      'Export with an image batch as the input.',
      graph.path,
    );
  const x = tf.input({ shape: d.length === 3 ? [d[1], d[2], d[0]] : d, name: 'input' });
  ctx.vals.set(inputInfo.name, tensorVal(x));
  for (const node of graph.nodes) {
    const out = OPS[node.op](node, ctx);
    if (node.outputs[0]) ctx.vals.set(node.outputs[0], out);
  }
  let y = ctx.vals.get(graph.outputs[0]);
  if (!y || y.kind !== 'tensor')
    throw new UserError(`${graph.path}: the output ${graph.outputs[0]} does not depend on the input`, 'Give a classifier graph.', graph.path);
  const last = graph.nodes[graph.nodes.length - 1];
  y = materialize(ctx, last, y);
  if (y.shape.length === 4 && y.shape[2] === 1 && y.shape[3] === 1) {
    y = tensorVal(tf.layers.reshape({ targetShape: [y.shape[1]], name: ctx.layerName(last, 'logits') }).apply(y.t) as T.SymbolicTensor);
  }
  if (y.shape.length !== 2)
    throw new UserError(
      `${graph.path}: the output has shape [${y.shape.map((s) => s ?? 'N').join(', ')}]; a classifier outputs [N, classes]`,
      'Export a classifier whose forward returns the logits.',
      graph.path,
    );
  const model = tf.model({ inputs: x, outputs: y.t, name: 'onnx_import' });
  setWeightsFromGraph(model, graph, ctx.bindings);
  if (
    !graph.nodes.some((n) => n.op === 'BatchNormalization') &&
    graph.nodes.some((n) => n.op === 'Conv') &&
    [...graph.initializers.keys()].some((k) => k.startsWith('onnx::'))
  )
    ctx.notes.push(
      'The graph has no BatchNormalization: the exporter folded it into the convolutions (eval-mode export), so unlearning trains a network without batch norm and the weights lose their PyTorch names. Export with training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False (see the docs).',
    );
  return { model, bindings: ctx.bindings, notes: ctx.notes };
}

function setWeightsFromGraph(model: T.LayersModel, graph: OnnxGraph, bindings: Binding[]): void {
  const byLayer = new Map<string, Binding[]>();
  for (const b of bindings) byLayer.set(b.layer, [...(byLayer.get(b.layer) ?? []), b]);
  for (const [layerName, bs] of byLayer) {
    const layer = model.getLayer(layerName);
    const current = layer.getWeights();
    const next = current.map((w, i) => {
      const b = bs.find((x) => x.weight === i);
      if (!b) return w;
      const t = graph.initializers.get(b.initializer)!;
      const size = t.dims.reduce((a, c) => a * c, 1);
      if (size !== w.size)
        throw new UserError(
          `${graph.path}: initializer ${b.initializer} has ${size} values ([${t.dims.join(', ')}]) where layer ${layerName} needs [${w.shape.join(', ')}]`,
          'The graph is inconsistent; export it again.',
          graph.path,
        );
      return toTfjs(t, b, w.shape);
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== current[i] && t.dispose());
  }
}

/** A tfjs weight's values (shape `shape`) back in the initializer's ONNX layout; plain arrays, no tensor reads. */
export function toOnnxLayout(values: Float32Array, shape: readonly number[], b: Binding): Float32Array {
  let v = values;
  let s = [...shape];
  if (b.flat) {
    // tfjs rows (h, w, c) → ONNX rows (c, h, w), per output unit.
    const units = s[1];
    v = permuteValues(v, [b.flat.h, b.flat.w, b.flat.c, units], [2, 0, 1, 3]);
  }
  if (b.transform === 'conv') v = permuteValues(v, s, [3, 2, 0, 1]);
  else if (b.transform === 'depthwise') v = permuteValues(v, s, [2, 3, 0, 1]);
  else if (b.transform === 'transpose') {
    v = permuteValues(v, s, [1, 0]);
    s = [s[1], s[0]];
  }
  return v === values ? values.slice() : v;
}
