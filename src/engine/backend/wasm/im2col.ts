// Conv2DBackpropFilter is missing from tfjs-backend-wasm 4.22, and its Conv2DBackpropInput loops
// naively: both kernels (kernels/Conv2DBackprop*.ts) are written as im2col/col2im in JS around one
// matMul, so XNNPACK does the arithmetic. This file is the JS half: the geometry and the copies.
import { tf } from '../../tf';

export interface ConvGeometry {
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

export function convGeometry(
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
export function im2col(g: ConvGeometry, xs: Float32Array, cols: Float32Array): void {
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
export function col2im(g: ConvGeometry, cols: Float32Array, dx: Float32Array): void {
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
