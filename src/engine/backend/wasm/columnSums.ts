// The per-channel sums of the wasm batch-norm kernels (kernels/SalunBatchNormTrain*.ts), in float64.

/**
 * Per-channel sums over the rows of a row-major [rows, C] array, in float64: Σ x (plain), Σ x·y
 * (`y` given) or Σ (x − shift)² (`shift` given). Four channels per pass with the sums in locals and
 * no branch in the inner loop, then one pass per leftover channel.
 */
export function columnSums(x: Float32Array, rows: number, C: number, out: Float64Array, y?: Float32Array, shift?: Float64Array): void {
  // One function per kind of sum, so each inner loop stays branch-free and monomorphic.
  if (y) productSums(x, y, rows, C, out);
  else if (shift) squaredDeviationSums(x, shift, rows, C, out);
  else plainSums(x, rows, C, out);
}

/** Σ x·y per channel. */
function productSums(x: Float32Array, y: Float32Array, rows: number, C: number, out: Float64Array): void {
  const end = rows * C;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let at = c; at < end; at += C) {
      s0 += x[at] * y[at];
      s1 += x[at + 1] * y[at + 1];
      s2 += x[at + 2] * y[at + 2];
      s3 += x[at + 3] * y[at + 3];
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < C; c++) {
    let s0 = 0;
    for (let at = c; at < end; at += C) s0 += x[at] * y[at];
    out[c] = s0;
  }
}

/** Σ (x − shift)² per channel. */
function squaredDeviationSums(x: Float32Array, shift: Float64Array, rows: number, C: number, out: Float64Array): void {
  const end = rows * C;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    const m0 = shift[c],
      m1 = shift[c + 1],
      m2 = shift[c + 2],
      m3 = shift[c + 3];
    for (let at = c; at < end; at += C) {
      const d0 = x[at] - m0,
        d1 = x[at + 1] - m1,
        d2 = x[at + 2] - m2,
        d3 = x[at + 3] - m3;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < C; c++) {
    let s0 = 0;
    const m0 = shift[c];
    for (let at = c; at < end; at += C) {
      const d = x[at] - m0;
      s0 += d * d;
    }
    out[c] = s0;
  }
}

/** Σ x per channel. */
function plainSums(x: Float32Array, rows: number, C: number, out: Float64Array): void {
  const end = rows * C;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let at = c; at < end; at += C) {
      s0 += x[at];
      s1 += x[at + 1];
      s2 += x[at + 2];
      s3 += x[at + 3];
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < C; c++) {
    let s0 = 0;
    for (let at = c; at < end; at += C) s0 += x[at];
    out[c] = s0;
  }
}
