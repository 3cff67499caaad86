// The slice of tfjs-backend-wasm's backend object that JS kernels need, and calls into its own
// kernels, shared by the kernels registered over tfjs's (wasmKernels.ts, wasmReductions.ts).
// typedArrayFromHeap is a view into wasm memory: take it after the last allocation, since an
// allocation that grows the heap detaches earlier views.
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf';

export type Backend = {
  disposeData(dataId: object): void;
  incRef(dataId: object): void;
  readSync(dataId: object): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
};

export function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-backend-wasm has no '${name}' kernel`);
  return k.kernelFunc;
}

export function call(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  return wasmKernel(name)({ inputs, backend: backend, attrs }) as TensorInfo;
}

export function transpose(backend: Backend, x: TensorInfo, perm: number[]): TensorInfo {
  return call('Transpose', backend, { x }, { perm });
}
