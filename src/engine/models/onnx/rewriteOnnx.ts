// The unlearned model back in the user's own ONNX graph: the same nodes, names and opset, with the
// bound initializers replaced by the trained weights (external data inlined), and the graph put in
// inference form — BatchNormalization's training_mode off (and its statistics outputs dropped),
// Dropout's training_mode input false — because a TRAINING-mode export would otherwise run in ONNX
// Runtime on batch statistics and random dropout. Also the same weights as a PyTorch state_dict:
// an ONNX graph exported from PyTorch names its initializers by the state_dict's keys.
import { onnx } from 'onnx-proto';
import type { StateDict } from '../../../store/checkpoints/stateDict';
import type { T } from '../../tf';
import type { Binding } from './graphValues';
import { toOnnxLayout } from './importOnnx';
import { inlineExternalData } from './onnxFile';
import { weightValues } from '../weightReads';

/** The binding's weight in ONNX layout, from the snapshot the caller took (weightReads.ts). */
function onnxValues(model: T.LayersModel, b: Binding): Float32Array {
  const v = model.getLayer(b.layer).weights[b.weight];
  return toOnnxLayout(weightValues(v), v.shape as number[], b);
}

/**
 * The user's graph (its bytes as read from `path`) with the model's weights and in inference form;
 * the external data of what was not trained is copied in too, so the file stands alone.
 */
export function rewriteOnnx(original: Uint8Array, path: string, model: T.LayersModel, bindings: readonly Binding[]): Uint8Array {
  const m = onnx.ModelProto.decode(original);
  const g = m.graph!;
  const byName = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const b of bindings) {
    const t = byName.get(b.initializer);
    if (!t) throw new Error(`initializer ${b.initializer} is not in the graph`);
    const values = onnxValues(model, b);
    t.dataType = onnx.TensorProto.DataType.FLOAT;
    t.rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    t.floatData = [];
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  inlineExternalData(m, path);
  let falseName: string | undefined;
  for (const n of g.node ?? []) {
    if (n.opType === 'BatchNormalization') {
      n.attribute = (n.attribute ?? []).filter((a) => a.name !== 'training_mode');
      n.output = (n.output ?? []).slice(0, 1);
    }
    if (n.opType === 'Dropout' && (n.input ?? []).length >= 3 && n.input![2]) {
      if (!falseName) {
        falseName = 'salun_inference_mode';
        g.initializer = [
          ...(g.initializer ?? []),
          onnx.TensorProto.create({ name: falseName, dataType: onnx.TensorProto.DataType.BOOL, dims: [], rawData: new Uint8Array([0]) }),
        ];
      }
      n.input![2] = falseName;
    }
  }
  return onnx.ModelProto.encode(m).finish();
}

/**
 * The bound weights by initializer name in ONNX's (= PyTorch's) layouts, with each BatchNorm's
 * num_batches_tracked (an int64 buffer ONNX graphs do not hold, which a strict load_state_dict
 * requires) beside its running_mean.
 */
export function onnxStateDict(model: T.LayersModel, bindings: readonly Binding[], dims: ReadonlyMap<string, number[]>): StateDict {
  const out: StateDict = new Map();
  for (const b of bindings) {
    const shape = dims.get(b.initializer) ?? [];
    out.set(b.initializer, { dtype: 'F32', shape, data: onnxValues(model, b) });
    if (b.initializer.endsWith('.running_var')) {
      const counter = b.initializer.replace(/\.running_var$/, '.num_batches_tracked');
      out.set(counter, { dtype: 'I64', shape: [], data: new Float32Array([0]) });
    }
  }
  return out;
}
