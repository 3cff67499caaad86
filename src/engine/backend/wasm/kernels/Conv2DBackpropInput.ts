// Replaces tfjs-backend-wasm 4.22's, which loops naively: one XNNPACK matMul, then col2im
// (../im2col.ts) in JS. Checked against the cpu backend in test/unit/wasmKernels.unit.test.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { call, transpose, type Backend } from '../heap';
import { col2im, convGeometry } from '../im2col';

function conv2DBackpropInput(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  // cols[m, k] = Σ_co dy[m, co]·W[k, co] by matMul (XNNPACK), then col2im scatters cols into dx in JS.
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Parameters<typeof convGeometry>[2] & { inputShape: number[] };
  const g = convGeometry(attrs.inputShape, filter.shape, attrs, 'Conv2DBackpropInput');
  const M = g.n * g.ho * g.wo;
  const K = g.kh * g.kw * g.ci;
  const dy3 = call('Reshape', backend, { x: dy }, { shape: [1, M, g.co] });
  const w2 = call('Reshape', backend, { x: filter }, { shape: [K, g.co] });
  const wT = transpose(backend, w2, [1, 0]);
  const wT3 = call('Reshape', backend, { x: wT }, { shape: [1, g.co, K] });
  let cols: TensorInfo | undefined;
  try {
    cols = call('BatchMatMul', backend, { a: dy3, b: wT3 }, { transposeA: false, transposeB: false });
    const out = backend.makeOutput(attrs.inputShape, 'float32');
    const dx = backend.typedArrayFromHeap(out);
    dx.fill(0);
    col2im(g, backend.typedArrayFromHeap(cols), dx);
    return out;
  } finally {
    for (const t of [dy3, w2, wT, wT3, cols]) if (t) backend.disposeData(t.dataId);
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as KernelFunc,
};
