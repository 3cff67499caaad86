// Two-sample statistics for the Retrain-free verdict (verdict.ts): does one sample of per-example
// values (losses, confidences) come from the same distribution as another?
// - AUC (Mann–Whitney U / (n·m)) = P(a > b) + ½·P(a = b), signed: 0.5 when the two are alike, so it
//   says which way they differ. Its standard error is DeLong's (DeLong, DeLong & Clarke-Pearson,
//   Biometrics 44 (1988) 837–845) from the placement values, which handles ties.
// - Kolmogorov–Smirnov D = sup_t |F_a(t) − F_b(t)|, unsigned, reported beside the AUC.
// Plain arrays only: no tensors, so the verdict can be tested and run anywhere.

export interface AucResult {
  /** P(a > b) + ½·P(a = b) for a drawn from `a` and b from `b`. */
  auc: number;
  /** DeLong's standard error of the AUC. */
  se: number;
}

/** Ascending copy in float64 (a typed sort is numeric, unlike Array's default). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Number of entries of the ascending `s` that are < v (lower bound). */
export function countBelow(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries of the ascending `s` that are ≤ v (upper bound). */
export function countAtMost(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sampleVariance(x: Float64Array): number {
  if (x.length < 2) return 0;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return ss / (x.length - 1);
}

function checkNonEmpty(name: string, values: ArrayLike<number>): void {
  if (values.length === 0) throw new RangeError(`${name}: a two-sample statistic needs at least one value on each side`);
}

/**
 * AUC of `a` over `b` with DeLong's standard error. Placement of a_i: the share of b below it (ties
 * half); of b_j: the share of a above it. AUC is the mean of either; Var = s²(a-placements)/n +
 * s²(b-placements)/m.
 */
export function aucWithSe(a: ArrayLike<number>, b: ArrayLike<number>): AucResult {
  checkNonEmpty('aucWithSe', a);
  checkNonEmpty('aucWithSe', b);
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  const pa = new Float64Array(sa.length);
  const pb = new Float64Array(sb.length);
  let sum = 0;
  for (let i = 0; i < sa.length; i++) {
    const below = countBelow(sb, sa[i]);
    pa[i] = (below + (countAtMost(sb, sa[i]) - below) / 2) / sb.length;
    sum += pa[i];
  }
  for (let j = 0; j < sb.length; j++) {
    const atMost = countAtMost(sa, sb[j]);
    pb[j] = (sa.length - atMost + (atMost - countBelow(sa, sb[j])) / 2) / sa.length;
  }
  const variance = sampleVariance(pa) / sa.length + sampleVariance(pb) / sb.length;
  return { auc: sum / sa.length, se: Math.sqrt(variance) };
}

/** Kolmogorov–Smirnov D between the empirical distributions of `a` and `b`. */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkNonEmpty('ksStatistic', a);
  checkNonEmpty('ksStatistic', b);
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  let i = 0;
  let j = 0;
  let d = 0;
  // Step through every distinct value once, moving both CDFs past it before comparing them.
  while (i < sa.length && j < sb.length) {
    const t = Math.min(sa[i], sb[j]);
    while (i < sa.length && sa[i] === t) i++;
    while (j < sb.length && sb[j] === t) j++;
    d = Math.max(d, Math.abs(i / sa.length - j / sb.length));
  }
  return d;
}

/**
 * Standard normal quantile Φ⁻¹(p), by bisection on Φ written with erfc (Numerical Recipes' Chebyshev
 * erfc, |error| < 1.2e-7): the verdict needs only a handful of these per call, so speed does not matter.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Φ(x) = ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
