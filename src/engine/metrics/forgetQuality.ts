// The forgetting quality of the NeurIPS 2023 Machine Unlearning Challenge (Triantafillou et al.,
// scoring code github.com/google-deepmind/unlearning_evaluation, metric.py), in float64 without
// tensors. N unlearned models and N Retrain models give, for every forget example, two samples of
// N logit-scaled confidences; an example is forgotten when no threshold test tells the samples
// apart, measured as an (ε, δ) privacy bound:
//
//   conf      log p_y − log Σ_{j≠y} p_j  (p the softmax; 1e-45 added inside both logs)
//   pos/neg   per example the sample with the larger median is "positive"
//   tests     single threshold t (conf ≥ t is positive) on a grid of 100 per unit over both samples;
//             double threshold [l, r] (inside is the peakier sample): r on a grid of 100 per unit
//             from max − 2 to max + 2 of the peakier sample, l 400 steps within ±2 of r − its spread
//   ε(test)   max(log(1 − δ − FPR) − log FNR, log(1 − δ − FNR) − log FPR) clipped at 0, δ = 1e-5;
//             FPR = FNR = 0 is perfect separation (ε = the cap); FPR or FNR alone 0 is discarded
//   ε         the largest over the tests, clipped to [0, 50]; 50 at once when one sample's spread is
//             under 1% of the other's (a near-constant unlearned model is a tell of its own)
//   score     ε in buckets of 0.5 up to ⌈ln(N − 1)⌉: 1, ½, ¼, … by bucket, 0 past the last
//   F         the mean score over the forget examples
//
// Two choices where metric.py leaves the path: the grids are numpy.linspace's (the authors build the
// single-threshold grid with torch.linspace, which differs in the last bits), and an example where
// every test is discarded has ε = 0 (metric.py asserts there is one). bench/forget_quality.py is an
// independent numpy port that CI checks these against, example by example.

import { countAtMost, countBelow } from './twoSample';

export const DELTA = 1e-5;
export const EPSILON_CAP = 50;
const PER_UNIT = 100;
const BUFFER = 2;
const BUCKET = 0.5;

/** log p_y − log Σ_{j≠y} p_j from a row of log-probabilities (metric.py's compute_logit_scaled_confidence). */
export function logitScaledConfidence(logProbs: ArrayLike<number>, label: number): number {
  let max = -Infinity;
  for (let c = 0; c < logProbs.length; c++) max = Math.max(max, logProbs[c]);
  let total = 0;
  let correct = 0;
  for (let c = 0; c < logProbs.length; c++) {
    const p = Math.exp(logProbs[c] - max);
    total += p;
    if (c === label) correct = p;
  }
  return Math.log(correct / total + 1e-45) - Math.log((total - correct) / total + 1e-45);
}

/** numpy.linspace(start, stop, num): i·step + start, the last point exactly stop. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(Math.max(0, num));
  if (num === 1) out[0] = start;
  if (num < 2) return out;
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / (num - 1)) * (stop - start) + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

const spread = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, x), -Infinity) - a.reduce((m, x) => Math.min(m, x), Infinity);

/** One test's ε from its rates: Infinity for perfect separation, NaN when discarded. */
export function testEpsilon(tpr: number, fnr: number, fpr: number, tnr: number): number {
  if (fpr + fnr === 0 && tpr + tnr === 2) return Infinity;
  if (fpr * fnr === 0) return NaN;
  const a = Math.log(1 - DELTA - fpr) - Math.log(fnr);
  const b = Math.log(1 - DELTA - fnr) - Math.log(fpr);
  const m = Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
  return Number.isNaN(m) ? NaN : Math.max(0, m);
}

/** The largest ε of the tests, NaN when every test is discarded. */
function bestOf(best: number, eps: number): number {
  if (Number.isNaN(eps)) return best;
  return Number.isNaN(best) ? eps : Math.max(best, eps);
}

function singleThresholdBest(pos: Float64Array, neg: Float64Array, sortedPos: Float64Array, sortedNeg: Float64Array): number {
  const lo = Math.min(sortedPos[0], sortedNeg[0]);
  const hi = Math.max(sortedPos[sortedPos.length - 1], sortedNeg[sortedNeg.length - 1]);
  let best = NaN;
  for (const t of linspace(lo, hi, Math.ceil((hi - lo) * PER_UNIT))) {
    const posBelow = countBelow(sortedPos, t);
    const negBelow = countBelow(sortedNeg, t);
    const tpr = (pos.length - posBelow) / pos.length;
    const fpr = (neg.length - negBelow) / neg.length;
    best = bestOf(best, testEpsilon(tpr, posBelow / pos.length, fpr, negBelow / neg.length));
  }
  return best;
}

function doubleThresholdBest(posIn: Float64Array, negIn: Float64Array): number {
  const posDiff = spread(posIn);
  const negDiff = spread(negIn);
  const width = posDiff > negDiff ? negDiff : posDiff;
  // The peakier sample is "positive" inside the band.
  const [pos, neg] = posDiff >= negDiff ? [negIn, posIn] : [posIn, negIn];
  const sp = Float64Array.from(pos).sort();
  const sn = Float64Array.from(neg).sort();
  const min = sp[0] + width - BUFFER;
  const max = sp[sp.length - 1] + BUFFER;
  const numLeft = Math.ceil(2 * BUFFER * PER_UNIT);
  let best = NaN;
  for (const r of linspace(min, max, Math.ceil((max - min) * PER_UNIT))) {
    const posToR = countAtMost(sp, r);
    const negToR = countAtMost(sn, r);
    for (const l of linspace(r - width - BUFFER, r - width + BUFFER, numLeft)) {
      const posInBand = Math.max(0, posToR - countBelow(sp, l));
      const negInBand = Math.max(0, negToR - countBelow(sn, l));
      best = bestOf(best, testEpsilon(posInBand / sp.length, (sp.length - posInBand) / sp.length, negInBand / sn.length, (sn.length - negInBand) / sn.length));
    }
  }
  return best;
}

/** ε of one forget example from its positive and negative samples (metric.py's _get_epsilons, one column). */
export function exampleEpsilon(pos: Float64Array, neg: Float64Array): number {
  const posDiff = spread(pos);
  const negDiff = spread(neg);
  const largest = posDiff > negDiff ? posDiff : negDiff;
  const smallest = posDiff > negDiff ? negDiff : posDiff;
  if (smallest / largest < 0.01) return EPSILON_CAP;
  const sp = Float64Array.from(pos).sort();
  const sn = Float64Array.from(neg).sort();
  const best = bestOf(doubleThresholdBest(pos, neg), singleThresholdBest(pos, neg, sp, sn));
  return Number.isNaN(best) ? 0 : Math.min(EPSILON_CAP, Math.max(0, best));
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The largest ε that still scores: ⌈ln(N − 1)⌉. */
export const epsilonScoreLimit = (models: number): number => Math.ceil(Math.log(models - 1));

/** 2^−⌊ε/0.5⌋ within the limit, 0 past it (metric.py's bucket loop). */
export function epsilonScore(epsilon: number, models: number): number {
  const limit = epsilonScoreLimit(models);
  let points = 1;
  for (let start = 0; start + BUCKET <= limit; start += BUCKET, points /= 2) if (epsilon < start + BUCKET) return points;
  return 0;
}

export interface ForgetQuality {
  /** F: the mean score over the forget examples, in [0, 1]. */
  score: number;
  /** ε per forget example. */
  epsilons: Float64Array;
  models: number;
  /** ⌈ln(N − 1)⌉: ε above this scores 0; the resolution N allows. */
  epsilonLimit: number;
}

/**
 * F from the confidences of every forget example under each model: `unlearned[k][i]` and
 * `retrained[k][i]` for model k and example i (metric.py's compute_forget_score_from_confs).
 */
export function forgetQuality(unlearned: readonly Float64Array[], retrained: readonly Float64Array[]): ForgetQuality {
  const models = unlearned.length;
  if (models < 3 || retrained.length !== models)
    throw new Error(`the forgetting quality needs N ≥ 3 unlearned and N Retrain models (got ${models} and ${retrained.length})`);
  const n = unlearned[0].length;
  const epsilons = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const u = Float64Array.from(unlearned, (m) => m[i]);
    const r = Float64Array.from(retrained, (m) => m[i]);
    const retrainPositive = median(r) > median(u);
    epsilons[i] = retrainPositive ? exampleEpsilon(r, u) : exampleEpsilon(u, r);
    total += epsilonScore(epsilons[i], models);
  }
  return { score: n ? total / n : 0, epsilons, models, epsilonLimit: epsilonScoreLimit(models) };
}

/** The challenge's final score: F × RA(unlearned)/RA(Retrain) × TA(unlearned)/TA(Retrain), accuracies averaged over the N runs. */
export function challengeScore(f: number, accuracy: { unlearnedRa: number; retrainRa: number; unlearnedTa: number; retrainTa: number }): number {
  return f * (accuracy.unlearnedRa / accuracy.retrainRa) * (accuracy.unlearnedTa / accuracy.retrainTa);
}
