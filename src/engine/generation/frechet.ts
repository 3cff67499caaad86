// The Fréchet distance between two Gaussians N(μ1, C1) and N(μ2, C2) (Dowson & Landau 1982), the
// formula behind FID (Heusel et al. 2017):
//   d² = ‖μ1 − μ2‖² + Tr(C1 + C2 − 2·(C1^{1/2} C2 C1^{1/2})^{1/2})
// C1^{1/2} C2 C1^{1/2} is symmetric positive semi-definite, so both square roots come from symmetric
// eigen-decompositions (negative eigenvalues are round-off and count as 0), and only the trace of
// the outer root is needed: Σ √λ_i. This is the symmetric form of Tr((C1·C2)^{1/2}) that
// pytorch-fid computes with scipy's sqrtm; it is real by construction.
//
// What the features are is the caller's business: here they are the penultimate activations of
// our own classifier (./classifierFeatures.ts), which is why the result is called FID-classifier.
// Fits use the unbiased covariance (n − 1), as numpy.cov and pytorch-fid do.
import { symmetricEigen } from './symmetricEigen';

export interface GaussianFit {
  dim: number;
  /** How many feature vectors were fitted; FID is biased upward for small n. */
  count: number;
  mean: Float64Array;
  /** Row-major dim×dim. */
  cov: Float64Array;
}

/** Mean and unbiased covariance of `n` row-major vectors of length `dim`. */
export function gaussianFit(features: ArrayLike<number>, n: number, dim: number): GaussianFit {
  if (features.length !== n * dim) throw new Error(`${features.length} values for ${n} vectors of ${dim}`);
  if (n < 2) throw new Error(`a covariance needs at least 2 vectors, got ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centred[d] = features[i * dim + d] - mean[d];
    for (let r = 0; r < dim; r++) {
      const cr = centred[r];
      if (cr === 0) continue;
      for (let c = r; c < dim; c++) cov[r * dim + c] += cr * centred[c];
    }
  }
  for (let r = 0; r < dim; r++) {
    for (let c = r; c < dim; c++) {
      cov[r * dim + c] /= n - 1;
      cov[c * dim + r] = cov[r * dim + c];
    }
  }
  return { dim, count: n, mean, cov };
}

/** Row-major n×n product. */
function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** The symmetric PSD square root V·diag(√max(λ, 0))·Vᵀ. */
export function psdSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = values.map((l) => Math.sqrt(Math.max(0, l)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * roots[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

function trace(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += m[i * n + i];
  return s;
}

/** Tr((C1^{1/2} C2 C1^{1/2})^{1/2}) = Σ √λ of the symmetrised middle product. */
function traceOfCrossRoot(c1: Float64Array, c2: Float64Array, n: number): number {
  const s = psdSqrt(c1, n);
  const m = matmul(matmul(s, c2, n), s, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = (m[i * n + j] + m[j * n + i]) / 2;
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  return symmetricEigen(m, n).values.reduce((acc, l) => acc + Math.sqrt(Math.max(0, l)), 0);
}

/** d² between two fits of the same dimension (≥ 0: a negative value is round-off and returns 0). */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  if (a.dim !== b.dim) throw new Error(`feature dimensions differ: ${a.dim} vs ${b.dim}`);
  const n = a.dim;
  let meanTerm = 0;
  for (let d = 0; d < n; d++) meanTerm += (a.mean[d] - b.mean[d]) ** 2;
  const d2 = meanTerm + trace(a.cov, n) + trace(b.cov, n) - 2 * traceOfCrossRoot(a.cov, b.cov, n);
  return Math.max(0, d2);
}
