// Kernels that tfjs-backend-wasm 4.22 lacks or gets wrong for training, registered over its own:
// - Conv2DBackpropFilter is missing, and the shipped Conv2DBackpropInput loops naively: both are
//   written as im2col/col2im in JS around one matMul, so XNNPACK does the arithmetic.
// - MaxPoolGrad gives wrong gradients when a window holds no positive value: recomputed in JS from
//   the argmax of each window, as the cpu backend does.
// - BatchMatMul/_FusedMatMul use XNNPACK only without transpose flags (dense-layer gradients set
//   them) and otherwise fall to a naive loop: the operands are transposed explicitly first.
// Every kernel here is checked against the cpu backend in test/unit/wasmKernels.unit.test.ts, and
// each op's gradient against finite differences in test/unit/gradCheck.unit.test.ts.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf';
import { call, transpose, wasmKernel, type Backend } from './heap';
import { installWasmReductions } from './reductions';
import { installWasmSgd, SGD_STEP_KERNEL } from './kernels/SalunSgdStep';
import { installWasmBatchNorm } from './batchNorm';

interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: { strides: [number, number] | number; pad: 'valid' | 'same' | number; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
  kernel: string,
): ConvGeometry {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm supports NHWC only`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    co: info.outChannels,
    ho: info.outHeight,
    wo: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/**
 * For one image: the input offset (pixel·ci) that each (output position, tap) pair reads, or -1
 * where the tap falls in the padding. Row j·taps + t belongs to output position j = r·wo + c and
 * tap t = a·kw + b, so tap t's ci values sit at column t·ci of the im2col row: the row-major
 * layouts of dy ([m, co]) and the filter ([k, co] with k = t·ci + channel). The table does not
 * depend on the sample, so the copy loops below run without index arithmetic or closures (the
 * earlier closure-per-tap version cost ≈ 40 ms of a 160 ms CNN step).
 */
function tapTable(g: ConvGeometry): Int32Array {
  const taps = g.kh * g.kw;
  const table = new Int32Array(g.ho * g.wo * taps);
  let i = 0;
  for (let r = 0; r < g.ho; r++) {
    for (let c = 0; c < g.wo; c++) {
      for (let a = 0; a < g.kh; a++) {
        const y = r * g.sh + a - g.top;
        for (let b = 0; b < g.kw; b++, i++) {
          const x = c * g.sw + b - g.left;
          table[i] = y >= 0 && y < g.h && x >= 0 && x < g.w ? (y * g.w + x) * g.ci : -1;
        }
      }
    }
  }
  return table;
}

/** cols[m, k] = x at the pixel tap k of output position m reads (0 in padding); `cols` pre-zeroed. */
function im2col(g: ConvGeometry, xs: Float32Array, cols: Float32Array): void {
  const table = tapTable(g);
  const perImage = g.ho * g.wo * g.kh * g.kw;
  const imageSize = g.h * g.w * g.ci;
  const ci = g.ci;
  let dst = 0;
  for (let n = 0; n < g.n; n++) {
    const base = n * imageSize;
    for (let i = 0; i < perImage; i++, dst += ci) {
      const off = table[i];
      if (off < 0) continue;
      const src = base + off;
      for (let ch = 0; ch < ci; ch++) cols[dst + ch] = xs[src + ch];
    }
  }
}

/** dx[pixel] += cols[m, k] for every pair that reads that pixel; `dx` pre-zeroed. */
function col2im(g: ConvGeometry, cols: Float32Array, dx: Float32Array): void {
  const table = tapTable(g);
  const perImage = g.ho * g.wo * g.kh * g.kw;
  const imageSize = g.h * g.w * g.ci;
  const ci = g.ci;
  let src = 0;
  for (let n = 0; n < g.n; n++) {
    const base = n * imageSize;
    for (let i = 0; i < perImage; i++, src += ci) {
      const off = table[i];
      if (off < 0) continue;
      const dst = base + off;
      for (let ch = 0; ch < ci; ch++) dx[dst + ch] += cols[src + ch];
    }
  }
}

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

function maxPoolGrad(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const xs = backend.readSync(input.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * inWidth * c;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * c;
        for (let d = 0; d < c; d++) {
          // First maximum of the window wins, like the cpu backend; -Infinity so that windows with
          // no positive value still get their gradient (the bug this kernel replaces).
          let best = -Infinity;
          let bestAt = -1;
          for (let fr = 0; fr < filterHeight; fr++) {
            const r = r0 + fr;
            if (r < 0 || r >= inHeight) continue;
            for (let fc = 0; fc < filterWidth; fc++) {
              const cc = c0 + fc;
              if (cc < 0 || cc >= inWidth) continue;
              const at = xBase + (r * inWidth + cc) * c + d;
              if (xs[at] > best) {
                best = xs[at];
                bestAt = at;
              }
            }
          }
          if (bestAt >= 0) dx[bestAt] += dys[dyBase + d];
        }
      }
    }
  }
  return out;
}

function withoutTransposeFlags(original: KernelFunc): KernelFunc {
  return (args) => {
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

function register(config: KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Registers the kernels above for the wasm backend. Idempotent: the SGD step kernel is registered
 * by nothing else, so its presence says this ran (the matMul wrappers must not wrap themselves).
 */
export function installWasmTrainingKernels(): void {
  if (tf.getKernel(SGD_STEP_KERNEL, 'wasm')) return;
  register({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as KernelFunc });
  register({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput as KernelFunc });
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as KernelFunc });
  for (const name of ['BatchMatMul', '_FusedMatMul'] as const) {
    const original = wasmKernel(name);
    register({ kernelName: name, backendName: 'wasm', kernelFunc: withoutTransposeFlags(original) });
  }
  installWasmReductions();
  installWasmBatchNorm();
  installWasmSgd();
}
