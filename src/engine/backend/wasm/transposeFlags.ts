// tfjs-backend-wasm 4.22's BatchMatMul and _FusedMatMul use XNNPACK only without transpose flags
// (dense-layer gradients set them) and otherwise fall to a naive loop: the operands are transposed
// explicitly first, and the call goes to wasm's own kernel (kernels/BatchMatMul.ts, _FusedMatMul.ts).
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { displacedKernel } from '../registerKernels';
import { transpose, type Backend } from './heap';

/** `name`'s kernel for operands given with transpose flags set: the same product with the flags cleared. */
export function withoutTransposeFlags(name: 'BatchMatMul' | '_FusedMatMul'): KernelFunc {
  return (args) => {
    const original = displacedKernel(name, 'wasm');
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const backend = args.backend as unknown as Backend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const swapLast = (t: TensorInfo): number[] => {
      const perm = t.shape.map((_, i) => i);
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2], perm[perm.length - 1]];
      return perm;
    };
    const at = attrs.transposeA ? transpose(backend, a, swapLast(a)) : a;
    const bt = attrs.transposeB ? transpose(backend, b, swapLast(b)) : b;
    try {
      return original({ ...args, inputs: { ...args.inputs, a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  };
}
