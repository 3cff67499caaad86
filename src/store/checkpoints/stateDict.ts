// A PyTorch state_dict as the store holds it, without tfjs: parameter and buffer names (PyTorch's
// dotted keys, "layer1.0.conv1.weight") to tensors in PyTorch's own layout (OIHW kernels, [out, in]
// Linear weights). Readers (safetensors, torch.save zips) produce one; writers take one; the engine
// maps it to and from a tfjs model. Values are float32 whatever the file held, because every
// tensor the engine trains is float32; `dtype` keeps what the file said, so integer buffers
// (BatchNorm's num_batches_tracked, an int64 a strict load_state_dict requires) are written back
// as they came.

/** safetensors' dtype names, which torch.save's storages map onto too. */
export type StateDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface StateTensor {
  dtype: StateDtype;
  shape: number[];
  /** Row-major values, converted to float32 (exact for every integer a state_dict holds in practice). */
  data: Float32Array;
}

/** Insertion-ordered, as PyTorch's state_dict is. */
export type StateDict = Map<string, StateTensor>;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
