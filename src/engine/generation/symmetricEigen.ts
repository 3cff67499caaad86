// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
// Matrix Computations, 4th ed., §8.5.2–8.5.3), in float64 plain TypeScript. Each rotation
// J(p, q, θ) zeroes A[p][q] with the stable choice τ = (a_qq − a_pp)/(2·a_pq),
// t = sign(τ)/(|τ| + √(1 + τ²)), c = 1/√(1 + t²), s = t·c; A ← JᵀAJ, V ← VJ. Sweeps repeat until
// the off-diagonal mass is negligible against the whole matrix (quadratic convergence: 6–10 sweeps).
// Chosen over a tridiagonal QR because it is short, accurate for the small eigenvalues that
// covariance square roots depend on, and fast enough for feature covariances up to 256 wide (the
// cnn's and mlp's 128: ≈ 0.2 s; 256: ≈ 2 s; ResNet-18's 512 would take a minute or more, measured on
// 2 shared cores); tfjs has no eigen-decomposition at all.

export interface SymmetricEigen {
  /** λ_i, in the order Jacobi leaves them (unsorted). */
  values: Float64Array;
  /** Row-major n×n; column i is the unit eigenvector of λ_i. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 60;
/**
 * Stop when Σ_{i≠j} a_ij² ≤ TOL²·‖A‖_F²: every eigenvalue is then within TOL·‖A‖_F of exact. Much
 * tighter and round-off (≈ n·ε·‖A‖ spread over n² entries) would keep the sweeps going to the cap.
 */
const TOL = 1e-14;

function frobeniusSquared(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

function offDiagonalSquared(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += a[i * n + j] ** 2;
  return s;
}

/**
 * A ← JᵀAJ and V ← VJ for the rotation in the (p, q) plane that zeroes A[p][q]. Rows p and q are
 * read (contiguous) and mirrored into columns p and q, since A stays symmetric; the 2×2 block takes
 * the closed form a_pp − t·a_pq, a_qq + t·a_pq. V is kept transposed (one eigenvector per row) so
 * its update is contiguous too: at n = 256 strided column access was most of the time.
 */
function rotate(a: Float64Array, vt: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q];
  const app = a[p * n + p];
  const aqq = a[q * n + q];
  const tau = (aqq - app) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  const rp = p * n;
  const rq = q * n;
  for (let k = 0; k < n; k++) {
    const pk = a[rp + k];
    const qk = a[rq + k];
    const np = c * pk - s * qk;
    const nq = s * pk + c * qk;
    a[rp + k] = np;
    a[rq + k] = nq;
    a[k * n + p] = np;
    a[k * n + q] = nq;
  }
  // The loop above wrote nonsense into the 2×2 block (k = p, q); it is set from the closed form below.
  a[rp + p] = app - t * apq;
  a[rq + q] = aqq + t * apq;
  a[rp + q] = 0; // exact in theory; left to round-off it would feed the next sweep's test
  a[rq + p] = 0;
  for (let k = 0; k < n; k++) {
    const pk = vt[rp + k];
    const qk = vt[rq + k];
    vt[rp + k] = c * pk - s * qk;
    vt[rq + k] = s * pk + c * qk;
  }
}

/** Eigenvalues and eigenvectors of the symmetric row-major n×n `matrix` (left untouched). */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (matrix.length !== n * n) throw new Error(`${matrix.length} entries for a ${n}×${n} matrix`);
  const a = Float64Array.from(matrix);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [x, y] = [a[i * n + j], a[j * n + i]];
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) throw new Error(`the matrix is not symmetric at (${i}, ${j}): ${x} vs ${y}`);
    }
  }
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  const limit = TOL * TOL * frobeniusSquared(a);
  for (let sweep = 0; sweep < MAX_SWEEPS && offDiagonalSquared(a, n) > limit; sweep++) {
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) if (a[p * n + q] !== 0) rotate(a, vt, n, p, q);
    }
  }
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[i * n + j] = vt[j * n + i];
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors };
}
