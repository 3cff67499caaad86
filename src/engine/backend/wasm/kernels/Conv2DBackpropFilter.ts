// Missing from tfjs-backend-wasm 4.22: the filter's gradient as im2col (../im2col.ts) and one
// XNNPACK matMul. Checked against the cpu backend in test/unit/wasmKernels.unit.test.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { call, transpose, type Backend } from '../heap';
import { convGeometry, im2col } from '../im2col';

function conv2DBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  // dW[k, co] = Σ_m cols[m, k]·dy[m, co], with cols the im2col of x (built in JS, contiguous rows)
  // and one XNNPACK matMul. XNNPACK packs the right-hand operand on every call (it is new each
  // step), and packing a large one costs more than the product (conv2: 26 ms against 3.5), so the
  // smaller of cols ([M, K]) and dy ([M, co]) goes on the right:
  //   K ≥ co:  dW = colsᵀ·dy            (colsᵀ by wasm's Transpose)
  //   K < co:  dW = (dyᵀ·cols)ᵀ         (the first layer: K = 9 taps of 1 channel, co = 16)
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Parameters<typeof convGeometry>[2] & { filterShape: number[] };
  const g = convGeometry(x.shape, attrs.filterShape, attrs, 'Conv2DBackpropFilter');
  const M = g.n * g.ho * g.wo;
  const K = g.kh * g.kw * g.ci;
  const cols = backend.makeOutput([M, K], 'float32');
  const temps: TensorInfo[] = [cols];
  const keep = <U extends TensorInfo>(t: U): U => {
    temps.push(t);
    return t;
  };
  try {
    const heap = backend.typedArrayFromHeap(cols);
    heap.fill(0);
    im2col(g, backend.typedArrayFromHeap(x), heap);
    let dW: TensorInfo;
    if (K >= g.co) {
      const colsT = keep(call('Reshape', backend, { x: keep(transpose(backend, cols, [1, 0])) }, { shape: [1, K, M] }));
      const dy3 = keep(call('Reshape', backend, { x: dy }, { shape: [1, M, g.co] }));
      dW = keep(call('BatchMatMul', backend, { a: colsT, b: dy3 }, { transposeA: false, transposeB: false }));
    } else {
      const dyT = keep(
        call(
          'Reshape',
          backend,
          { x: keep(transpose(backend, keep(call('Reshape', backend, { x: dy }, { shape: [M, g.co] })), [1, 0])) },
          { shape: [1, g.co, M] },
        ),
      );
      const cols3 = keep(call('Reshape', backend, { x: cols }, { shape: [1, M, K] }));
      const prod = keep(
        call(
          'Reshape',
          backend,
          { x: keep(call('BatchMatMul', backend, { a: dyT, b: cols3 }, { transposeA: false, transposeB: false })) },
          { shape: [g.co, K] },
        ),
      );
      dW = keep(transpose(backend, prod, [1, 0]));
    }
    return call('Reshape', backend, { x: dW }, { shape: [g.kh, g.kw, g.ci, g.co] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as KernelFunc,
};
