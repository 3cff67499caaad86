// Binary C-SVC with an RBF kernel, solved the way LIBSVM solves it, because LIBSVM (through
// scikit-learn's `SVC`) is what the SalUn authors' MIA metric uses and we want our numbers to be
// comparable with theirs, not merely "an SVM".
//
// Followed step by step (LIBSVM 3.x as vendored in sklearn/svm/src/libsvm/svm.cpp):
// - SMO with the second-order working-set selection "WSS 2" of Fan, Chen & Lin, JMLR 6 (2005)
//   1889–1918, stopping when m(α) − M(α) < eps (sklearn's `tol`, 1e-3);
// - the two-variable update with its bound clipping, in the same order;
// - shrinking (sklearn's default `shrinking=True`) with gradient reconstruction from Ḡ;
// - ρ (the negated bias) from free SVs, or the midpoint of the feasible interval if none is free;
// - kernel columns computed on demand and kept in an LRU cache as 32-bit floats (LIBSVM's `Qfloat`),
//   never an n×n matrix.
// Keeping LIBSVM's index order, tie-breaking (`>=`), kernel formula and float32 kernel storage makes
// the iteration path the same as sklearn's: bench/mia-crosscheck.ts sees identical iteration counts
// and decision values equal to ~1e-10.

/** Options for {@link fitRbfSvm}. */
export interface RbfSvmOptions {
  /** Penalty on slack, C > 0. */
  C: number;
  /** Kernel width: K(a, b) = exp(−gamma·‖a − b‖²), gamma > 0. */
  gamma: number;
  /** Stopping tolerance on the maximal KKT violation (LIBSVM `eps`, sklearn `tol`). Default 1e-3. */
  tol?: number;
  /** Iteration cap. Default max(10⁷, 100·n), upstream LIBSVM's cap (sklearn's default has none). */
  maxIter?: number;
  /** Kernel-column cache budget in MiB. Default 200, sklearn's `cache_size`. */
  cacheMb?: number;
  /** LIBSVM's shrinking heuristic. Default true, like sklearn. It changes speed, not the solution. */
  shrinking?: boolean;
  /**
   * With dim = 1, compute the kernel row of each distinct feature value once and share it between
   * equal points (saturated confidences repeat a lot). Default true. Speed only: the float32
   * kernel entries are bit-for-bit the same either way.
   */
  shareDuplicateRows?: boolean;
}

/** Everything a fitted model holds; plain data so it can be logged or serialised. */
export interface RbfSvmModel {
  readonly dim: number;
  readonly gamma: number;
  readonly C: number;
  /** Support vectors, row-major, `dualCoef.length × dim`, in training order. */
  readonly supportVectors: Float64Array;
  /** αᵢ·yᵢ of each support vector (LIBSVM `sv_coef`). */
  readonly dualCoef: Float64Array;
  /** Index of each support vector in the training set. */
  readonly supportIndices: Int32Array;
  /** Decision function is Σ dualCoefᵢ·K(svᵢ, x) − rho. */
  readonly rho: number;
  /** All n dual variables, 0 ≤ αᵢ ≤ C, in training order (kept for diagnostics and KKT checks). */
  readonly alpha: Float64Array;
  /** Number of support vectors at the upper bound C. */
  readonly boundedSupportCount: number;
  /** Dual objective ½αᵀQα − eᵀα at the solution. */
  readonly objective: number;
  readonly iterations: number;
  /** False when the iteration cap stopped the solver before the KKT tolerance was met. */
  readonly converged: boolean;
}

/** A fitted RBF SVM; labels are +1 / −1 as given to {@link fitRbfSvm}. */
export class RbfSvm implements RbfSvmModel {
  readonly dim: number;
  readonly gamma: number;
  readonly C: number;
  readonly supportVectors: Float64Array;
  readonly dualCoef: Float64Array;
  readonly supportIndices: Int32Array;
  readonly rho: number;
  readonly alpha: Float64Array;
  readonly boundedSupportCount: number;
  readonly objective: number;
  readonly iterations: number;
  readonly converged: boolean;
  // Support vectors with equal coordinates contribute identical kernel terms, so prediction sums
  // their coefficients once; MIA features are saturated confidences with many exact duplicates.
  private readonly mergedVectors: Float64Array;
  private readonly mergedCoef: Float64Array;

  constructor(model: RbfSvmModel) {
    this.dim = model.dim;
    this.gamma = model.gamma;
    this.C = model.C;
    this.supportVectors = model.supportVectors;
    this.dualCoef = model.dualCoef;
    this.supportIndices = model.supportIndices;
    this.rho = model.rho;
    this.alpha = model.alpha;
    this.boundedSupportCount = model.boundedSupportCount;
    this.objective = model.objective;
    this.iterations = model.iterations;
    this.converged = model.converged;
    const merged = mergeDuplicateVectors(model.supportVectors, model.dualCoef, model.dim);
    this.mergedVectors = merged.vectors;
    this.mergedCoef = merged.coef;
  }

  get supportCount(): number {
    return this.dualCoef.length;
  }

  /** Decision values f(x) = Σ αᵢyᵢ K(xᵢ, x) − ρ for row-major points of this model's `dim`. */
  decision(points: ArrayLike<number>): Float64Array {
    const dim = this.dim;
    if (points.length % dim !== 0) {
      throw new RangeError(`decision: points has ${points.length} values, not a multiple of dim=${dim}`);
    }
    const count = points.length / dim;
    const out = new Float64Array(count);
    const sv = this.mergedVectors;
    const coef = this.mergedCoef;
    const m = coef.length;
    const g = this.gamma;
    for (let q = 0; q < count; q++) {
      let sum = 0;
      if (dim === 1) {
        const xq = points[q];
        for (let s = 0; s < m; s++) {
          const d = xq - sv[s];
          sum += coef[s] * Math.exp(-g * d * d);
        }
      } else {
        const base = q * dim;
        for (let s = 0; s < m; s++) {
          let d2 = 0;
          const off = s * dim;
          for (let k = 0; k < dim; k++) {
            const d = points[base + k] - sv[off + k];
            d2 += d * d;
          }
          sum += coef[s] * Math.exp(-g * d2);
        }
      }
      out[q] = sum - this.rho;
    }
    return out;
  }

  /** +1 where the decision value is > 0, else −1 (LIBSVM gives a tie to the second label). */
  predict(points: ArrayLike<number>): Int8Array {
    const dec = this.decision(points);
    const out = new Int8Array(dec.length);
    for (let i = 0; i < dec.length; i++) out[i] = dec[i] > 0 ? 1 : -1;
    return out;
  }
}

/**
 * Fits a binary C-SVC with kernel exp(−gamma‖a−b‖²) by LIBSVM's SMO.
 * `features` is row-major n×dim; `labels` holds +1 / −1 and both must occur. To reproduce sklearn
 * exactly, pass the rows in the order LIBSVM trains on: all rows of sklearn's first (smaller)
 * class with label +1, then the rest with label −1.
 */
export function fitRbfSvm(features: ArrayLike<number>, dim: number, labels: ArrayLike<number>, opts: RbfSvmOptions): RbfSvm {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`fitRbfSvm: dim must be a positive integer, got ${dim}`);
  const n = labels.length;
  if (n === 0) throw new RangeError('fitRbfSvm: labels is empty');
  if (features.length !== n * dim) {
    throw new RangeError(`fitRbfSvm: features has ${features.length} values but labels.length × dim = ${n} × ${dim} = ${n * dim}`);
  }
  if (!(opts.C > 0) || !Number.isFinite(opts.C)) throw new RangeError(`fitRbfSvm: C must be a finite number > 0, got ${opts.C}`);
  if (!(opts.gamma > 0) || !Number.isFinite(opts.gamma)) throw new RangeError(`fitRbfSvm: gamma must be a finite number > 0, got ${opts.gamma}`);
  const tol = opts.tol ?? 1e-3;
  if (!(tol > 0)) throw new RangeError(`fitRbfSvm: tol must be > 0, got ${tol}`);
  const maxIter = opts.maxIter ?? Math.max(10_000_000, 100 * n);
  if (!(maxIter >= 0)) throw new RangeError(`fitRbfSvm: maxIter must be ≥ 0, got ${maxIter}`);
  const cacheMb = opts.cacheMb ?? 200;

  const x = new Float64Array(n * dim);
  for (let i = 0; i < n * dim; i++) {
    const v = features[i];
    if (!Number.isFinite(v)) throw new RangeError(`fitRbfSvm: features[${i}] is ${v}; every feature must be finite`);
    x[i] = v;
  }
  const y = new Int8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 1 && l !== -1) throw new RangeError(`fitRbfSvm: labels[${i}] is ${l}; labels must be +1 or -1`);
    y[i] = l;
    if (l === 1) positives++;
  }
  if (positives === 0 || positives === n) {
    throw new RangeError(`fitRbfSvm: need both classes, got ${positives} of +1 and ${n - positives} of -1`);
  }

  const solver = new SmoSolver(x, dim, y, {
    C: opts.C,
    gamma: opts.gamma,
    eps: tol,
    cacheBytes: Math.floor(cacheMb * 1024 * 1024),
    shrinking: opts.shrinking ?? true,
    shareDuplicateRows: opts.shareDuplicateRows ?? true,
  });
  const sol = solver.solve(maxIter);

  let svCount = 0;
  let bounded = 0;
  for (let i = 0; i < n; i++) {
    if (sol.alpha[i] > 0) svCount++;
    if (sol.alpha[i] >= opts.C) bounded++;
  }
  const supportVectors = new Float64Array(svCount * dim);
  const dualCoef = new Float64Array(svCount);
  const supportIndices = new Int32Array(svCount);
  for (let i = 0, s = 0; i < n; i++) {
    if (!(sol.alpha[i] > 0)) continue;
    for (let k = 0; k < dim; k++) supportVectors[s * dim + k] = features[i * dim + k];
    // LIBSVM's solve_c_svc stores αᵢyᵢ as the coefficient.
    dualCoef[s] = sol.alpha[i] * labels[i];
    supportIndices[s] = i;
    s++;
  }
  return new RbfSvm({
    dim,
    gamma: opts.gamma,
    C: opts.C,
    supportVectors,
    dualCoef,
    supportIndices,
    rho: sol.rho,
    alpha: sol.alpha,
    boundedSupportCount: bounded,
    objective: sol.objective,
    iterations: sol.iterations,
    converged: sol.converged,
  });
}

function mergeDuplicateVectors(vectors: Float64Array, coef: Float64Array, dim: number): { vectors: Float64Array; coef: Float64Array } {
  const m = coef.length;
  const slot = new Map<string | number, number>();
  const outCoef: number[] = [];
  const outVec: number[] = [];
  for (let s = 0; s < m; s++) {
    const key = dim === 1 ? vectors[s] : Array.prototype.join.call(vectors.subarray(s * dim, (s + 1) * dim), ',');
    const at = slot.get(key);
    if (at !== undefined) {
      outCoef[at] += coef[s];
    } else {
      slot.set(key, outCoef.length);
      outCoef.push(coef[s]);
      for (let k = 0; k < dim; k++) outVec.push(vectors[s * dim + k]);
    }
  }
  return { vectors: Float64Array.from(outVec), coef: Float64Array.from(outCoef) };
}

// ---------------------------------------------------------------------------------------------
// Solver internals

const TAU = 1e-12; // LIBSVM's stand-in for a non-positive curvature a_ij in WSS 2
const LOWER_BOUND = 0;
const UPPER_BOUND = 1;
const FREE = 2;

interface SolverConfig {
  C: number;
  gamma: number;
  eps: number;
  cacheBytes: number;
  shrinking: boolean;
  shareDuplicateRows: boolean;
}

interface Solution {
  alpha: Float64Array; // original order
  rho: number;
  objective: number;
  iterations: number;
  converged: boolean;
}

/**
 * LIBSVM's `Cache`: an LRU list of kernel columns, each holding its first `len` entries (the
 * active set is always a prefix, so a column computed while shrunk is extended, not recomputed).
 * The budget is counted in floats like LIBSVM's. Two changes that affect speed only, never values:
 * evicted buffers are reused instead of reallocated, and the column-entry swaps that shrinking
 * causes are applied in one pass per column after the shrink instead of one pass over all columns
 * per swap.
 */
class KernelColumnCache {
  private readonly data: (Float32Array | null)[];
  private readonly len: Int32Array;
  // Circular doubly-linked LRU list over column indices; `sentinel` is its head.
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly sentinel: number;
  private freeFloats: number;
  private spare: Float32Array | null = null;
  private pendingSwaps: number[] = [];

  constructor(n: number, bytes: number) {
    this.data = new Array<Float32Array | null>(n).fill(null);
    this.len = new Int32Array(n);
    this.prev = new Int32Array(n + 1);
    this.next = new Int32Array(n + 1);
    this.sentinel = n;
    this.prev[n] = n;
    this.next[n] = n;
    // At least two full columns: the update step needs columns i and j at once.
    this.freeFloats = Math.max(Math.floor(bytes / 4), 2 * n);
  }

  column(index: number): Float32Array {
    const col = this.data[index];
    if (col === null) throw new Error(`kernel cache: column ${index} requested before it was filled`);
    return col;
  }

  /** Makes column `index` hold at least `len` entries; returns the first entry still to compute. */
  request(index: number, len: number): number {
    if (this.pendingSwaps.length > 0) throw new Error('kernel cache: column requested while swaps are pending');
    if (this.len[index] > 0) this.unlink(index);
    const have = this.len[index];
    const more = len - have;
    let start = len;
    if (more > 0) {
      while (this.freeFloats < more) this.evict(this.next[this.sentinel]);
      const prevData = this.data[index];
      if (prevData === null || prevData.length < len) {
        let grown: Float32Array;
        if (this.spare !== null && this.spare.length >= len) {
          grown = this.spare;
          this.spare = null;
        } else {
          grown = new Float32Array(len);
        }
        if (prevData !== null && have > 0) grown.set(prevData.subarray(0, have));
        this.data[index] = grown;
      }
      this.freeFloats -= more;
      this.len[index] = len;
      start = have;
    }
    this.linkLast(index);
    return start;
  }

  /**
   * Mirrors a swap of indices i and j in the solver's permuted index space. Entries inside cached
   * columns are swapped by {@link applyPendingSwaps}, which must run before the next request.
   */
  swapIndex(i: number, j: number): void {
    if (i === j) return;
    if (this.len[i] > 0) this.unlink(i);
    if (this.len[j] > 0) this.unlink(j);
    const d = this.data[i];
    this.data[i] = this.data[j];
    this.data[j] = d;
    const l = this.len[i];
    this.len[i] = this.len[j];
    this.len[j] = l;
    if (this.len[i] > 0) this.linkLast(i);
    if (this.len[j] > 0) this.linkLast(j);
    this.pendingSwaps.push(Math.min(i, j), Math.max(i, j));
  }

  /** Replays the recorded swaps on every cached column, with LIBSVM's rule for partial columns. */
  applyPendingSwaps(): void {
    const swaps = this.pendingSwaps;
    if (swaps.length === 0) return;
    const m = swaps.length;
    for (let h = this.next[this.sentinel]; h !== this.sentinel;) {
      const following = this.next[h];
      const col = this.data[h];
      const L = this.len[h];
      if (col !== null) {
        for (let s = 0; s < m; s += 2) {
          const lo = swaps[s];
          if (L <= lo) continue;
          const hi = swaps[s + 1];
          if (L > hi) {
            const t = col[lo];
            col[lo] = col[hi];
            col[hi] = t;
          } else {
            // A column covering only one of the two entries cannot be kept consistent: drop it.
            this.evict(h);
            break;
          }
        }
      }
      h = following;
    }
    this.pendingSwaps = [];
  }

  private evict(h: number): void {
    this.unlink(h);
    this.freeFloats += this.len[h];
    const buf = this.data[h];
    if (buf !== null && (this.spare === null || buf.length > this.spare.length)) this.spare = buf;
    this.data[h] = null;
    this.len[h] = 0;
  }

  private unlink(h: number): void {
    this.next[this.prev[h]] = this.next[h];
    this.prev[this.next[h]] = this.prev[h];
  }

  private linkLast(h: number): void {
    const s = this.sentinel;
    this.next[h] = s;
    this.prev[h] = this.prev[s];
    this.next[this.prev[s]] = h;
    this.prev[s] = h;
  }
}

/**
 * LIBSVM's `Solver` for  min ½αᵀQα − eᵀα  s.t. yᵀα = 0, 0 ≤ α ≤ C,  with Q_ij = y_i y_j K(x_i, x_j).
 * All per-sample arrays are permuted together by shrinking, exactly as `Solver::swap_index` does,
 * so the active set is the prefix [0, activeSize).
 */
class SmoSolver {
  private readonly n: number;
  private readonly x: Float64Array;
  private readonly xSquare: Float64Array;
  private readonly y: Int8Array;
  private readonly QD: Float64Array;
  private readonly alpha: Float64Array;
  private readonly status: Uint8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly activeSet: Int32Array;
  private readonly cache: KernelColumnCache;
  private readonly C: number;
  private readonly gamma: number;
  private readonly eps: number;
  private readonly shrinking: boolean;
  private activeSize: number;
  private unshrink = false;
  // dim = 1 with repeated values: id of each point's distinct value (permuted with the points),
  // the distinct values, and an LRU of float32 kernel rows over them.
  private readonly valueId: Int32Array | null = null;
  private readonly distinctX = new Float64Array(0);
  private readonly distinctXSquare = new Float64Array(0);
  private readonly rowCache = new Map<number, Float32Array>();
  private readonly rowCacheCapacity: number = 0;

  constructor(
    x: Float64Array,
    private readonly dim: number,
    y: Int8Array,
    cfg: SolverConfig,
  ) {
    const n = y.length;
    this.C = cfg.C;
    this.gamma = cfg.gamma;
    this.eps = cfg.eps;
    this.shrinking = cfg.shrinking;
    this.n = n;
    this.x = x;
    this.y = y;
    this.xSquare = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k] * x[i * dim + k];
      this.xSquare[i] = s;
    }
    this.QD = new Float64Array(n);
    for (let i = 0; i < n; i++) this.QD[i] = this.kernel(i, i);
    this.alpha = new Float64Array(n);
    this.status = new Uint8Array(n).fill(LOWER_BOUND);
    // α = 0 is feasible, so G = Qα + p = p = −1 and Ḡ = 0 without touching the kernel.
    this.G = new Float64Array(n).fill(-1);
    this.Gbar = new Float64Array(n);
    this.activeSet = new Int32Array(n);
    for (let i = 0; i < n; i++) this.activeSet[i] = i;
    this.activeSize = n;
    let columnBytes = cfg.cacheBytes;
    if (dim === 1 && cfg.shareDuplicateRows) {
      const ids = new Int32Array(n);
      const seen = new Map<number, number>();
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        let id = seen.get(x[i]);
        if (id === undefined) {
          id = values.length;
          seen.set(x[i], id);
          values.push(x[i]);
        }
        ids[i] = id;
      }
      // Worth it only when values repeat; then a quarter of the budget goes to distinct rows.
      if (values.length <= 0.8 * n) {
        this.valueId = ids;
        this.distinctX = Float64Array.from(values);
        this.distinctXSquare = this.distinctX.map((v) => v * v);
        this.rowCacheCapacity = Math.max(2, Math.floor(cfg.cacheBytes / 4 / (4 * values.length)));
        columnBytes = cfg.cacheBytes - this.rowCacheCapacity * 4 * values.length;
      }
    }
    this.cache = new KernelColumnCache(n, columnBytes);
  }

  // LIBSVM's Kernel::kernel_rbf: through ‖a‖² + ‖b‖² − 2a·b (not ‖a − b‖²) so that, after the
  // float32 rounding of the cache, our Q entries equal sklearn's and the SMO path follows it.
  private kernel(i: number, j: number): number {
    const dim = this.dim;
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += this.x[i * dim + k] * this.x[j * dim + k];
    return Math.exp(-this.gamma * (this.xSquare[i] + this.xSquare[j] - 2 * dot));
  }

  /** Column i of Q over [0, len), from the cache or computed now (SVC_Q::get_Q). */
  private getQ(i: number, len: number): Float32Array {
    const start = this.cache.request(i, len);
    const col = this.cache.column(i);
    if (start < len) {
      const y = this.y;
      const yi = y[i];
      const g = this.gamma;
      const ids = this.valueId;
      const row = ids === null ? null : this.distinctRow(ids[i], len - start);
      if (ids !== null && row !== null) {
        for (let j = start; j < len; j++) col[j] = yi * y[j] * row[ids[j]];
      } else if (this.dim === 1) {
        const x = this.x;
        const xs = this.xSquare;
        const xi = x[i];
        const xsi = xs[i];
        for (let j = start; j < len; j++) col[j] = yi * y[j] * Math.exp(-g * (xsi + xs[j] - 2 * (xi * x[j])));
      } else {
        for (let j = start; j < len; j++) col[j] = yi * y[j] * this.kernel(i, j);
      }
    }
    return col;
  }

  /**
   * Float32 kernel row of distinct value u against all distinct values, from the row cache or
   * computed now; null when it is not cached and filling `needed` entries directly is cheaper.
   * Same formula and rounding as the direct fill, so the shared entries are identical.
   */
  private distinctRow(u: number, needed: number): Float32Array | null {
    const cached = this.rowCache.get(u);
    if (cached !== undefined) {
      this.rowCache.delete(u);
      this.rowCache.set(u, cached);
      return cached;
    }
    const ux = this.distinctX;
    const uxs = this.distinctXSquare;
    const m = ux.length;
    if (2 * needed < m) return null;
    const row = new Float32Array(m);
    const g = this.gamma;
    const xu = ux[u];
    const xsu = uxs[u];
    for (let v = 0; v < m; v++) row[v] = Math.exp(-g * (xsu + uxs[v] - 2 * (xu * ux[v])));
    if (this.rowCache.size >= this.rowCacheCapacity) {
      const oldest = this.rowCache.keys().next();
      if (oldest.done !== true) this.rowCache.delete(oldest.value);
    }
    this.rowCache.set(u, row);
    return row;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= this.C ? UPPER_BOUND : a <= 0 ? LOWER_BOUND : FREE;
  }

  solve(maxIter: number): Solution {
    const { y, G, alpha, status, QD, C } = this;
    const n = this.n;
    let iter = 0;
    let counter = Math.min(n, 1000) + 1;
    let converged = false;
    const ws = { i: -1, j: -1 };

    for (;;) {
      if (iter >= maxIter) break;
      // LIBSVM shrinks every min(n, 1000) iterations.
      if (--counter === 0) {
        counter = Math.min(n, 1000);
        if (this.shrinking) this.doShrinking();
      }
      if (!this.selectWorkingSet(ws)) {
        // Optimal on the shrunk problem: check again on the full one before stopping.
        this.reconstructGradient();
        this.activeSize = n;
        if (!this.selectWorkingSet(ws)) {
          converged = true;
          break;
        }
        counter = 1; // shrink again on the next iteration
      }
      iter++;
      const i = ws.i;
      const j = ws.j;
      const activeSize = this.activeSize;
      let Qi = this.getQ(i, activeSize);
      let Qj = this.getQ(j, activeSize);
      const oldAi = alpha[i];
      const oldAj = alpha[j];

      // Two-variable subproblem with the bound clipping of Solver::Solve (C_i = C_j = C here).
      if (y[i] !== y[j]) {
        let quad = QD[i] + QD[j] + 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = alpha[i] - alpha[j];
        alpha[i] += delta;
        alpha[j] += delta;
        if (diff > 0) {
          if (alpha[j] < 0) {
            alpha[j] = 0;
            alpha[i] = diff;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = -diff;
        }
        if (diff > 0) {
          // diff > C_i − C_j with equal bounds
          if (alpha[i] > C) {
            alpha[i] = C;
            alpha[j] = C - diff;
          }
        } else if (alpha[j] > C) {
          alpha[j] = C;
          alpha[i] = C + diff;
        }
      } else {
        let quad = QD[i] + QD[j] - 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;
        if (sum > C) {
          if (alpha[i] > C) {
            alpha[i] = C;
            alpha[j] = sum - C;
          }
        } else if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = sum;
        }
        if (sum > C) {
          if (alpha[j] > C) {
            alpha[j] = C;
            alpha[i] = sum - C;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = sum;
        }
      }

      const dAi = alpha[i] - oldAi;
      const dAj = alpha[j] - oldAj;
      for (let k = 0; k < activeSize; k++) G[k] += Qi[k] * dAi + Qj[k] * dAj;

      // Ḡ = Σ_{α_k = C} C·Q_k lets shrunk gradients be rebuilt without a pass over all columns.
      const wasUpperI = status[i] === UPPER_BOUND;
      const wasUpperJ = status[j] === UPPER_BOUND;
      this.updateStatus(i);
      this.updateStatus(j);
      const Gbar = this.Gbar;
      if (wasUpperI !== (status[i] === UPPER_BOUND)) {
        Qi = this.getQ(i, n);
        const s = wasUpperI ? -C : C;
        for (let k = 0; k < n; k++) Gbar[k] += s * Qi[k];
      }
      if (wasUpperJ !== (status[j] === UPPER_BOUND)) {
        Qj = this.getQ(j, n);
        const s = wasUpperJ ? -C : C;
        for (let k = 0; k < n; k++) Gbar[k] += s * Qj[k];
      }
    }

    if (!converged && this.activeSize < n) {
      // Stopped by the cap while shrunk: the full gradient is needed for ρ and the objective.
      this.reconstructGradient();
      this.activeSize = n;
    }
    const rho = this.calculateRho();
    let v = 0;
    for (let k = 0; k < n; k++) v += alpha[k] * (G[k] - 1);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[this.activeSet[k]] = alpha[k];
    return { alpha: out, rho, objective: v / 2, iterations: iter, converged };
  }

  /**
   * WSS 2: i maximises −y_t G_t over I_up; j minimises the second-order decrease
   * −(b_ij)²/a_ij over I_low with −y_j G_j < −y_i G_i. `>=` / `<=` keep LIBSVM's tie-breaking
   * (the last index wins). Returns false when m(α) − M(α) < eps, i.e. the KKT conditions hold.
   */
  private selectWorkingSet(out: { i: number; j: number }): boolean {
    const { y, G, status, QD } = this;
    const activeSize = this.activeSize;
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Infinity;

    // Written with −y_t·G_t instead of LIBSVM's two sign branches (the values are bit-identical) and
    // the rarely-true comparison first, so the hot loops branch predictably.
    for (let t = 0; t < activeSize; t++) {
      const v = -y[t] * G[t];
      if (v >= Gmax && (y[t] === 1 ? status[t] !== UPPER_BOUND : status[t] !== LOWER_BOUND)) {
        Gmax = v;
        GmaxIdx = t;
      }
    }
    const i = GmaxIdx;
    if (i === -1) return false; // I_up is empty: nothing can move
    const Qi = this.getQ(i, activeSize);
    const twoYi = 2.0 * y[i];
    const QDi = QD[i];

    for (let j = 0; j < activeSize; j++) {
      const yj = y[j];
      if (yj === 1 ? status[j] === LOWER_BOUND : status[j] === UPPER_BOUND) continue; // j ∉ I_low
      const yG = yj * G[j];
      if (yG >= Gmax2) Gmax2 = yG;
      const gradDiff = Gmax + yG;
      if (gradDiff > 0) {
        const quad = QDi + QD[j] - twoYi * yj * Qi[j];
        const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
        if (objDiff <= objDiffMin) {
          GminIdx = j;
          objDiffMin = objDiff;
        }
      }
    }
    if (Gmax + Gmax2 < this.eps || GminIdx === -1) return false;
    out.i = i;
    out.j = GminIdx;
    return true;
  }

  // Solver::be_shrunk: a bound variable whose gradient says it will stay at its bound.
  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER_BOUND) return this.y[i] === 1 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (s === LOWER_BOUND) return this.y[i] === 1 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  private doShrinking(): void {
    const { y, G, status } = this;
    let Gmax1 = -Infinity; // max { −y_i G_i | i ∈ I_up }
    let Gmax2 = -Infinity; // max {  y_i G_i | i ∈ I_low }
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER_BOUND && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER_BOUND && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER_BOUND && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER_BOUND && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    // Near the end LIBSVM un-shrinks once, so variables shrunk too early get another look.
    if (!this.unshrink && Gmax1 + Gmax2 <= this.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.n;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
          this.swapIndex(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
    this.cache.applyPendingSwaps();
  }

  private swapIndex(i: number, j: number): void {
    this.cache.swapIndex(i, j);
    const dim = this.dim;
    for (let k = 0; k < dim; k++) swapF64(this.x, i * dim + k, j * dim + k);
    swapF64(this.xSquare, i, j);
    swapF64(this.QD, i, j);
    const yi = this.y[i];
    this.y[i] = this.y[j];
    this.y[j] = yi;
    swapF64(this.G, i, j);
    const si = this.status[i];
    this.status[i] = this.status[j];
    this.status[j] = si;
    swapF64(this.alpha, i, j);
    const ai = this.activeSet[i];
    this.activeSet[i] = this.activeSet[j];
    this.activeSet[j] = ai;
    swapF64(this.Gbar, i, j);
    const ids = this.valueId;
    if (ids !== null) {
      const t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
  }

  /** Rebuilds G on the shrunk part from Ḡ plus the free variables' contribution. */
  private reconstructGradient(): void {
    const n = this.n;
    const activeSize = this.activeSize;
    if (activeSize === n) return;
    const { G, Gbar, alpha, status } = this;
    for (let j = activeSize; j < n; j++) G[j] = Gbar[j] - 1;
    let nrFree = 0;
    for (let j = 0; j < activeSize; j++) if (status[j] === FREE) nrFree++;
    // LIBSVM picks whichever loop touches fewer kernel entries.
    if (nrFree * n > 2 * activeSize * (n - activeSize)) {
      for (let i = activeSize; i < n; i++) {
        const Qi = this.getQ(i, activeSize);
        for (let j = 0; j < activeSize; j++) if (status[j] === FREE) G[i] += alpha[j] * Qi[j];
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (status[i] !== FREE) continue;
        const Qi = this.getQ(i, n);
        const ai = alpha[i];
        for (let j = activeSize; j < n; j++) G[j] += ai * Qi[j];
      }
    }
  }

  /** ρ: mean of y_i G_i over free SVs, else the middle of the interval the bound SVs allow. */
  private calculateRho(): number {
    const { y, G, status } = this;
    let nrFree = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER_BOUND) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER_BOUND) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        nrFree++;
        sumFree += yG;
      }
    }
    return nrFree > 0 ? sumFree / nrFree : (ub + lb) / 2;
  }
}

function swapF64(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
