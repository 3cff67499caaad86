// Bilinear resizing of one image's pixels (HWC floats), for ImageFolders whose images differ in
// size. The data layer is tfjs-free, so this is tfjs's own kernel (tfjs-backend-cpu ResizeBilinear)
// written out with halfPixelCenters = true: pixel centres sit at i + 0.5, so the image does not
// shift toward its top-left corner as with the legacy mapping (tf.image.resizeBilinear's default),
// and it matches TF2's tf.image.resize and PyTorch's interpolate(mode='bilinear',
// align_corners=False). No antialiasing: a large reduction samples, as those do.
// test/unit/resize.unit.test.ts compares it with tf.image.resizeBilinear(x, size, false, true).

export interface Size {
  height: number;
  width: number;
}

/** Per output coordinate: the two source coordinates and the weight of the second (tfjs's arithmetic). */
function axis(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const scale = inSize / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = scale * (o + 0.5) - 0.5;
    lo[o] = Math.max(0, Math.floor(src));
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    frac[o] = src - lo[o];
  }
  return { lo, hi, frac };
}

/** Resizes `src` (from × channels, HWC) into `out` at `offset` (to × channels, HWC). */
export function resizeBilinearInto(src: Float32Array, from: Size, channels: number, out: Float32Array, offset: number, to: Size): void {
  const rows = axis(from.height, to.height);
  const cols = axis(from.width, to.width);
  const rowStride = from.width * channels;
  for (let y = 0; y < to.height; y++) {
    const top = rows.lo[y] * rowStride;
    const bottom = rows.hi[y] * rowStride;
    const fy = rows.frac[y];
    for (let x = 0; x < to.width; x++) {
      const left = cols.lo[x] * channels;
      const right = cols.hi[x] * channels;
      const fx = cols.frac[x];
      const d = offset + (y * to.width + x) * channels;
      for (let c = 0; c < channels; c++) {
        const tl = src[top + left + c];
        const t = tl + (src[top + right + c] - tl) * fx;
        const bl = src[bottom + left + c];
        const b = bl + (src[bottom + right + c] - bl) * fx;
        out[d + c] = t + (b - t) * fy;
      }
    }
  }
}
