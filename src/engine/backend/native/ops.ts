// TensorFlow ops run straight through tfjs-node's binding, for kernels that do several TF ops in one
// tfjs kernel call. Every tfjs kernel call costs engine bookkeeping (a Tensor object, scope
// tracking, a profiler hook) on top of the TF op, and tfjs-node builds many kernels from several
// tfjs ops (Step alone is seven), so a training step paid that overhead hundreds of times. Here the
// intermediates stay TF tensor handles that never become tfjs tensors: `NativeOps` runs the ops,
// hands the chosen results to tfjs and frees the rest.
//
// The types below describe tfjs-node 4.22's NodeJSKernelBackend and binding (nodejs_kernel_backend.ts,
// binding/tfjs_backend.cc), the only version src/engine/backend/native.ts loads.
import type { Tensor, TensorInfo } from '@tensorflow/tfjs';

/** What the binding returns for each output of an op: a handle id in its table, shape, TF dtype. */
export interface NativeHandle {
  id: number;
  shape: number[];
  dtype: number;
}

export interface OpAttr {
  name: string;
  type: number;
  value: string | number | boolean | number[];
}

export interface NativeBinding {
  TF_FLOAT: number;
  TF_INT32: number;
  TF_BOOL: number;
  TF_ATTR_STRING: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): NativeHandle[];
  createTensor(shape: number[], dtype: number, values: Float32Array | Int32Array | Uint8Array): number;
  deleteTensor(id: number): void;
}

export interface NativeBackend {
  binding: NativeBinding;
  /** Uploads tensors whose values are still in JS, and gives their handle ids. */
  getInputTensorIds(tensors: TensorInfo[]): number[];
  /** Adopts a handle as a tfjs tensor (the backend then owns and frees it). */
  createOutputTensor(handle: NativeHandle): Tensor;
}

export function nativeBackend(backend: unknown): NativeBackend {
  const b = backend as Partial<NativeBackend>;
  if (!b.binding || typeof b.binding.executeOp !== 'function' || typeof b.createOutputTensor !== 'function') {
    throw new Error('not the tfjs-node backend (no binding.executeOp)');
  }
  return b as NativeBackend;
}

/** The ops of one kernel call. Handles it creates are freed by `dispose` unless `adopt`ed. */
export class NativeOps {
  readonly binding: NativeBinding;
  private readonly temps = new Map<number, NativeHandle>();

  constructor(private readonly backend: NativeBackend) {
    this.binding = backend.binding;
  }

  /** A tfjs tensor's handle; owned by tfjs, never freed here. */
  input(t: TensorInfo): NativeHandle {
    const [id] = this.backend.getInputTensorIds([t]);
    return { id, shape: t.shape, dtype: this.dtype(t.dtype) };
  }

  run(name: string, attrs: OpAttr[], inputs: NativeHandle[], numOutputs: number): NativeHandle[] {
    const out = this.binding.executeOp(
      name,
      attrs,
      inputs.map((h) => h.id),
      numOutputs,
    );
    for (const h of out) this.temps.set(h.id, h);
    return out;
  }

  /** An op with one output and only the type attribute `T` (float32 unless given). */
  op(name: string, inputs: NativeHandle[], attrs: OpAttr[] = [this.type('T')]): NativeHandle {
    return this.run(name, attrs, inputs, 1)[0];
  }

  scalar(value: number): NativeHandle {
    return this.constant([], Float32Array.of(value));
  }

  constant(shape: number[], values: Float32Array | Int32Array): NativeHandle {
    const dtype = values instanceof Int32Array ? this.binding.TF_INT32 : this.binding.TF_FLOAT;
    const h = { id: this.binding.createTensor(shape, dtype, values), shape, dtype };
    this.temps.set(h.id, h);
    return h;
  }

  reshape(h: NativeHandle, shape: number[]): NativeHandle {
    if (h.shape.length === shape.length && h.shape.every((d, i) => d === shape[i])) return h;
    return this.op(
      'Reshape',
      [h, this.constant([shape.length], Int32Array.from(shape))],
      [this.type('T', h.dtype), this.type('Tshape', this.binding.TF_INT32)],
    );
  }

  /** Hands a handle to tfjs as the kernel's output; an input's handle (tfjs owns it) is copied first. */
  adopt(h: NativeHandle): Tensor {
    const own = this.temps.delete(h.id) ? h : this.binding.executeOp('Identity', [this.type('T', h.dtype)], [h.id], 1)[0];
    return this.backend.createOutputTensor(own);
  }

  dispose(): void {
    for (const id of this.temps.keys()) this.binding.deleteTensor(id);
    this.temps.clear();
  }

  type(name: string, dtype = this.binding.TF_FLOAT): OpAttr {
    return { name, type: this.binding.TF_ATTR_TYPE, value: dtype };
  }

  attr(name: string, value: string | number | boolean, kind: 'string' | 'int' | 'float' | 'bool'): OpAttr {
    const types = { string: this.binding.TF_ATTR_STRING, int: this.binding.TF_ATTR_INT, float: this.binding.TF_ATTR_FLOAT, bool: this.binding.TF_ATTR_BOOL };
    return { name, type: types[kind], value };
  }

  private dtype(d: string): number {
    if (d === 'float32') return this.binding.TF_FLOAT;
    if (d === 'int32') return this.binding.TF_INT32;
    if (d === 'bool') return this.binding.TF_BOOL;
    throw new Error(`NativeOps: unsupported dtype ${d}`);
  }
}

/** Runs `body` with a fresh NativeOps and frees whatever it did not adopt, also on a throw. */
export function withNativeOps<R>(backend: unknown, body: (ops: NativeOps) => R): R {
  const ops = new NativeOps(nativeBackend(backend));
  try {
    return body(ops);
  } finally {
    ops.dispose();
  }
}
