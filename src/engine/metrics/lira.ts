// A per-example likelihood-ratio attack in the manner of U-LiRA (Hayes et al., 2024: "Inexact
// unlearning needs more careful evaluations"), built on LiRA (Carlini et al., S&P 2022): for every
// forget example, the unlearned models' logit-scaled confidences and the Retrain models' are two
// Gaussians, N(μ_u,i, σ_u,i²) and N(μ_r,i, σ_r,i²); a model's confidence c on the example scores
// log N(c; μ_u, σ_u) − log N(c; μ_r, σ_r), high when c looks like the unlearned models' rather than
// Retrain's. Positives are the unlearned models' (model, example) pairs, negatives the Retrain
// models', each model left out of the Gaussian of its own kind, so none is its own reference. AUC
// 0.5: the unlearned models cannot be told from Retrain, example by example; either direction of
// difference (more or less confident than Retrain) raises it. A population attack such as
// MIA-Efficacy pools every example under one threshold; this one calibrates each example.

export interface AttackResult {
  auc: number;
  /** Percent of positives caught at a threshold that flags at most 1% of the negatives. */
  tprAt1Fpr: number;
  positives: number;
  negatives: number;
}

/** Below this spread a sample is treated as constant (σ floored): N copies of one model. */
const MIN_SD = 1e-6;

interface Gaussian {
  mean: number;
  sd: number;
}

function fit(values: readonly number[]): Gaussian {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, sd: Math.max(MIN_SD, Math.sqrt(variance)) };
}

const logDensity = (x: number, g: Gaussian): number => -Math.log(g.sd) - 0.5 * ((x - g.mean) / g.sd) ** 2;

/** The likelihood ratio of `c` under the unlearned Gaussian against the Retrain one (the 2π terms cancel). */
export function logLikelihoodRatio(c: number, unlearned: Gaussian, retrained: Gaussian): number {
  return logDensity(c, unlearned) - logDensity(c, retrained);
}

/** Mann–Whitney AUC of positives over negatives, ties counted half. */
export function rocAuc(positives: Float64Array, negatives: Float64Array): number {
  const all = [...Array.from(positives, (s) => ({ s, pos: 1 })), ...Array.from(negatives, (s) => ({ s, pos: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].pos) rankSum += rank;
    i = j;
  }
  const p = positives.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * negatives.length);
}

/** The share of positives strictly above the threshold that flags at most `fpr` of the negatives, percent. */
export function tprAtFpr(positives: Float64Array, negatives: Float64Array, fpr: number): number {
  const sorted = Float64Array.from(negatives).sort();
  const allowed = Math.floor(fpr * sorted.length);
  // Scores above the (n − allowed)-th smallest negative flag at most `allowed` negatives.
  const threshold = sorted[sorted.length - 1 - allowed];
  return (100 * positives.reduce((n, s) => n + (s > threshold ? 1 : 0), 0)) / positives.length;
}

/** The attack on `unlearned[k][i]` and `retrained[k][i]` (model k, forget example i). */
export function perExampleAttack(unlearned: readonly Float64Array[], retrained: readonly Float64Array[]): AttackResult {
  const n = retrained[0]?.length ?? 0;
  const positives: number[] = [];
  const negatives: number[] = [];
  const without = (xs: number[], k: number): number[] => xs.filter((_, j) => j !== k);
  for (let i = 0; i < n; i++) {
    const u = unlearned.map((m) => m[i]);
    const r = retrained.map((m) => m[i]);
    const uAll = fit(u);
    const rAll = fit(r);
    u.forEach((c, k) => positives.push(logLikelihoodRatio(c, fit(without(u, k)), rAll)));
    r.forEach((c, k) => negatives.push(logLikelihoodRatio(c, uAll, fit(without(r, k)))));
  }
  const pos = Float64Array.from(positives);
  const neg = Float64Array.from(negatives);
  return { auc: rocAuc(pos, neg), tprAt1Fpr: tprAtFpr(pos, neg, 0.01), positives: pos.length, negatives: neg.length };
}
