// FID-classifier's mathematics: the Jacobi eigen-decomposition, Gaussian fits, the PSD square root
// and the Fréchet distance, against closed forms and against numpy/scipy numbers written once by
// test/fixtures/frechet-scipy.py (pytorch-fid's formula with scipy.linalg.sqrtm, a Schur method
// independent of the symmetric eigen route used here, and the same distance in 60-digit mpmath).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frechetDistance, gaussianFit, psdSqrt, type GaussianFit } from '../../src/engine/generation/frechet';
import { symmetricEigen } from '../../src/engine/generation/symmetricEigen';
import { makeRng } from '../../src/engine/rng';
import { gaussian } from '../../src/engine/generation/noise';

interface ScipyCase {
  name: string;
  dim: number;
  a: number[][];
  b: number[][];
  meanA: number[];
  covA: number[];
  fid: number;
  sqrtmMaxImag: number;
  exact: number;
}
interface Fixture {
  numpy: string;
  scipy: string;
  mpmath: string;
  cases: ScipyCase[];
  eigen: { n: number; matrix: number[]; values: number[] };
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/frechet-scipy.json'), 'utf8')) as Fixture;

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

/** n random d-vectors (row-major) with correlated coordinates. */
function randomFeatures(n: number, d: number, seed: number): Float64Array {
  const z = gaussian(n * d, makeRng(seed));
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = z[i * d + j] + (j > 0 ? 0.6 * z[i * d + j - 1] : 0) + j;
  return out;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = makeRng(seed);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      m[i * n + j] = 2 * r() - 1;
      m[j * n + i] = m[i * n + j];
    }
  return m;
}

function mul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const sorted = (v: ArrayLike<number>): number[] => Array.from(v).sort((x, y) => x - y);

function diagonalFit(mean: number[], variances: number[]): GaussianFit {
  const d = mean.length;
  const cov = new Float64Array(d * d);
  variances.forEach((v, i) => {
    cov[i * d + i] = v;
  });
  return { dim: d, count: 100, mean: Float64Array.from(mean), cov };
}

describe('generation quality: Jacobi eigen-decomposition', () => {
  it('reconstructs A = VΛVᵀ with orthonormal V (n = 1, 2, 12, 40)', () => {
    for (const n of [1, 2, 12, 40]) {
      const a = randomSymmetric(n, n);
      const { values, vectors } = symmetricEigen(a, n);
      const lambdaVt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lambdaVt[i * n + j] = values[i] * vectors[j * n + i];
      assert.ok(maxAbsDiff(mul(vectors, lambdaVt, n), a) < 1e-12, `VΛVᵀ ≠ A for n = ${n}`);
      const vt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[i * n + j] = vectors[j * n + i];
      const identity = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
      assert.ok(maxAbsDiff(mul(vt, vectors, n), identity) < 1e-12, `VᵀV ≠ I for n = ${n}`);
    }
  });

  it("matches numpy's eigvalsh", () => {
    const { n, matrix, values } = fixture.eigen;
    const ours = sorted(symmetricEigen(matrix, n).values);
    values.forEach((v, i) => close(ours[i], v, 1e-12, `λ${i}`));
  });

  it('keeps zero and repeated eigenvalues (a rank-1 matrix)', () => {
    const u = [1, 2, 2];
    const a = u.flatMap((x) => u.map((y) => x * y)); // u·uᵀ: eigenvalues 9, 0, 0
    const v = sorted(symmetricEigen(a, 3).values);
    assert.ok(Math.abs(v[0]) < 1e-12 && Math.abs(v[1]) < 1e-12, `zero eigenvalues: ${v.join(', ')}`);
    close(v[2], 9, 1e-12, 'largest');
  });

  it('refuses a non-symmetric matrix', () => {
    assert.throws(() => symmetricEigen([1, 2, 3, 4], 2), /not symmetric/);
  });
});

describe('generation quality: Gaussian fits and the Fréchet distance (FID-classifier)', () => {
  it("fits numpy's mean and np.cov (unbiased)", () => {
    for (const c of fixture.cases) {
      const fit = gaussianFit(c.a.flat(), c.a.length, c.dim);
      assert.ok(maxAbsDiff(fit.mean, c.meanA) < 1e-12, `${c.name}: mean`);
      assert.ok(maxAbsDiff(fit.cov, c.covA) < 1e-12, `${c.name}: covariance`);
    }
  });

  it("agrees with pytorch-fid's formula computed by scipy.linalg.sqrtm, and with 60-digit arithmetic", () => {
    for (const c of fixture.cases) {
      const fid = frechetDistance(gaussianFit(c.a.flat(), c.a.length, c.dim), gaussianFit(c.b.flat(), c.b.length, c.dim));
      // With n < d, C1 is singular and √ of its round-off-sized eigenvalues costs both float64
      // routes digits (≈ 1e-9 relative here): scipy is held to its own distance from the exact value.
      const singular = c.a.length <= c.dim || c.b.length <= c.dim;
      close(fid, c.exact, singular ? 1e-8 : 1e-12, `${c.name} vs mpmath`);
      close(fid, c.fid, (singular ? 1e-8 : 1e-12) + Math.abs(c.fid - c.exact) / c.exact, `${c.name} vs scipy`);
    }
  });

  it('is 0 for a set against itself, and symmetric', () => {
    const a = gaussianFit(randomFeatures(50, 16, 1), 50, 16);
    const b = gaussianFit(randomFeatures(30, 16, 2), 30, 16);
    assert.ok(frechetDistance(a, a) < 1e-9, `d(a, a) = ${frechetDistance(a, a)}`);
    close(frechetDistance(a, b), frechetDistance(b, a), 1e-9, 'd(a, b) vs d(b, a)');
    assert.ok(frechetDistance(a, b) > 1, 'two different sets are far apart');
  });

  it('is ‖Δμ‖² for the same set shifted', () => {
    const [n, d] = [40, 10];
    const x = randomFeatures(n, d, 3);
    const shift = Array.from({ length: d }, (_, j) => 0.5 * j - 2);
    const shifted = x.map((v, k) => v + shift[k % d]);
    const expected = shift.reduce((s, v) => s + v * v, 0);
    close(frechetDistance(gaussianFit(x, n, d), gaussianFit(shifted, n, d)), expected, 1e-9, 'shifted');
  });

  it('is ‖Δμ‖² + Σ(σ1 − σ2)² for diagonal covariances', () => {
    const a = diagonalFit([0, 1, 2, 3], [1, 4, 0.25, 9]);
    const b = diagonalFit([1, 1, 0, 3], [4, 1, 1, 0]);
    const expected = 1 + 0 + 4 + 0 + ((1 - 2) ** 2 + (2 - 1) ** 2 + (0.5 - 1) ** 2 + (3 - 0) ** 2);
    close(frechetDistance(a, b), expected, 1e-12, 'diagonal');
  });

  it('is (1 − k)²·Tr C for C and k²·C (a full, non-diagonal covariance)', () => {
    const [n, d] = [60, 12];
    const x = randomFeatures(n, d, 4);
    const a = gaussianFit(x, n, d);
    const k = 1.7;
    const b: GaussianFit = { ...a, cov: a.cov.map((v) => k * k * v) };
    let tr = 0;
    for (let i = 0; i < d; i++) tr += a.cov[i * d + i];
    close(frechetDistance(a, b), (1 - k) ** 2 * tr, 1e-9, 'scaled covariance');
  });

  it('takes the PSD square root of a singular covariance (n < d)', () => {
    const [n, d] = [5, 12];
    const fit = gaussianFit(randomFeatures(n, d, 5), n, d);
    const s = psdSqrt(fit.cov, d);
    assert.ok(maxAbsDiff(mul(s, s, d), fit.cov) < 1e-10, 'S·S ≠ C');
    const rank = symmetricEigen(fit.cov, d).values.filter((l) => l > 1e-9).length;
    assert.equal(rank, n - 1, 'an n-sample covariance has rank n − 1');
  });

  it('refuses fits of different widths and fits of one vector', () => {
    assert.throws(() => frechetDistance(diagonalFit([0], [1]), diagonalFit([0, 0], [1, 1])), /dimensions differ/);
    assert.throws(() => gaussianFit([1, 2], 1, 2), /at least 2/);
  });
});
