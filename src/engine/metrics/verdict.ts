// The Retrain-free verdict: does the unlearned model treat its forget set Df like data it never
// saw? Exact unlearning (Retrain) is, by definition, a model for which Df IS unseen data, so Df must
// be indistinguishable from a held-out set drawn from the same distribution (the test set for
// random forgetting; the forgotten class's test images for class-wise forgetting), while the
// retain accuracy stays where θo had it. Five figures, each a signed gap (> 0: Df looks more like
// training data than held-out data does):
//   accuracy    acc(Df) − acc(held-out), in points (class-wise: acc(Df) − 0, see unseenClass)
//   loss        AUC = P(loss_heldout > loss_Df) − ½ (Mann–Whitney, DeLong SE; KS D beside it)
//   confidence  AUC = P(maxprob_Df > maxprob_heldout) − ½ (the model's certainty, label-free)
//   mia         MIA-Efficacy(held-out) − MIA-Efficacy(Df), cross-fitted attack (heldOutMia.ts)
//   retain      RA(θu) − RA(θo), in points; only its negative side counts (retain accuracy lost)
// Noise, not taste, sets the thresholds: the held-out set (for `retain`, the retain set) is cut in
// two random halves `splits` times with a seeded RNG and each statistic is computed between the
// halves; their standard deviation, rescaled from the halves' sizes to the sizes actually compared
// (every statistic here has null variance ∝ 1/n₁ + 1/n₂), is the figure's noise σ. A degenerate
// held-out set (e.g. accuracy 0 on every sample of a forgotten class) has no spread between its
// halves, so σ is floored at the statistic's analytic null SE (binomial with a +1 pseudo-count,
// or Mann–Whitney's √((n₁+n₂+1)/(12·n₁·n₂))). A gap within k·σ is indistinguishable, with
// k = Φ⁻¹(1 − α/(2·5)): two-sided, Bonferroni over the five figures, so that a Df drawn from the
// held-out distribution is called anything but "looks unseen" with probability ≈ α at most.
import type { RunVerdictFigure, RunVerdictLabel, VerdictFigureName } from '../../protocol/results';
import { flaggedFigures, verdictReason } from '../../protocol/verdictText';
import { heldOutMia } from './heldOutMia';
import type { MiaOptions } from './mia';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { aucWithSe, ksStatistic, normalQuantile } from './twoSample';

/** Per-sample outputs of one model on one set (sampleOutputs.ts collects them from a model). */
export interface SampleOutputs {
  /** 1 where the prediction is the true label. */
  correct: ArrayLike<number>;
  /** Cross-entropy of the true label, −log p(y|x). exp(−loss) is the MIA's feature. */
  loss: ArrayLike<number>;
  /** Largest softmax probability: how sure the model is, whatever the label. */
  confidence: ArrayLike<number>;
}

export interface VerdictInput {
  forget: SampleOutputs;
  /** Data the model never saw, from Df's distribution. */
  heldOut: SampleOutputs;
  retain: SampleOutputs;
  /** RA(θo) in percent, on the same retain set. */
  originalRetainAccuracy: number;
  /**
   * Df is a whole class (class-wise forgetting): the accuracy reference is then 0, not the held-out
   * rows' accuracy. A model never trained on label c has no reason to output it (Retrain's UA is
   * 100), while a model that generalises classifies unseen rows of c as well as Df, so comparing Df
   * with them cannot tell θo from Retrain. The other figures still compare Df with those rows.
   */
  unseenClass?: boolean;
}

export interface VerdictOptions {
  /** Seeds the held-out splits and the MIA folds; the verdict is a function of (input, options). Default 0. */
  seed?: number;
  /** Random halvings for the noise. Default 200. */
  splits?: number;
  /** Family-wise false-alarm rate over the five figures. Default 0.05. */
  alpha?: number;
  mia?: MiaOptions;
}

// The verdict's words and figures are the protocol's (what run folders, reports and the panel read);
// the engine adds the two-sample details the reports do not carry.
export type VerdictLabel = RunVerdictLabel;
export type FigureName = VerdictFigureName;

export interface VerdictFigure extends RunVerdictFigure {
  /** DeLong standard error of the AUC (loss and confidence). */
  se?: number;
  /** Kolmogorov–Smirnov D of Df against held-out (loss and confidence). */
  ks?: number;
}

export interface Verdict {
  label: VerdictLabel;
  figures: VerdictFigure[];
  /** Mean |z| over the figures: 0 for a Df indistinguishable from held-out data, growing with the evidence. */
  score: number;
  /** The threshold multiplier, Φ⁻¹(1 − α/10). */
  k: number;
  seed: number;
  splits: number;
  alpha: number;
  /** One sentence naming the figures beyond their thresholds. */
  reason: string;
  /** False when a membership attack stopped at its iteration cap. */
  miaConverged: boolean;
}

const FIGURE_COUNT = 5;

function mean(values: ArrayLike<number>, at?: ArrayLike<number>): number {
  const n = at ? at.length : values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[at ? at[i] : i];
  return s / n;
}

function pick(values: ArrayLike<number>, at: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: at.length }, (_, i) => values[at[i]]);
}

/** Standard deviation over `splits` seeded random halvings of n items of `between(halfA, halfB)`. */
export function splitSpread(n: number, splits: number, seed: number, between: (a: Int32Array, b: Int32Array) => number): number {
  if (n < 2) throw new RangeError(`splitSpread: needs at least 2 samples to halve, got ${n}`);
  const rand = makeRng(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const values = new Float64Array(splits);
  for (let s = 0; s < splits; s++) {
    shuffleInPlace(order, rand);
    values[s] = between(order.subarray(0, n >> 1), order.subarray(n >> 1));
  }
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / Math.max(1, splits - 1));
}

/** σ between halves of n, rescaled to a comparison of n₁ against n₂ (n₂ = ∞: against a constant). */
function rescaled(spread: number, n: number, n1: number, n2: number): number {
  const half = 1 / (n >> 1) + 1 / (n - (n >> 1));
  return spread * Math.sqrt((1 / n1 + (Number.isFinite(n2) ? 1 / n2 : 0)) / half);
}

/** Binomial SE in points of a difference of two shares (n₂ = ∞: one share), with a +1 pseudo-count. */
function binomialFloor(hits: number, n1: number, n2: number): number {
  const total = n1 + (Number.isFinite(n2) ? n2 : 0);
  const p = (hits + 1) / (total + 2);
  return 100 * Math.sqrt(p * (1 - p) * (1 / n1 + (Number.isFinite(n2) ? 1 / n2 : 0)));
}

function aucFloor(n1: number, n2: number): number {
  return Math.sqrt((n1 + n2 + 1) / (12 * n1 * n2));
}

interface Raw {
  name: FigureName;
  forget: number;
  reference: number;
  gap: number;
  splitNoise: number;
  floor: number;
  se?: number;
  ks?: number;
}

function figure(raw: Raw, k: number): VerdictFigure {
  const fromSplits = raw.splitNoise >= raw.floor;
  const noise = fromSplits ? raw.splitNoise : raw.floor;
  const shown = { name: raw.name, forget: raw.forget, reference: raw.reference, gap: raw.gap, ...(raw.se !== undefined ? { se: raw.se, ks: raw.ks } : {}) };
  return { ...shown, noise, noiseFrom: fromSplits ? 'splits' : 'analytic floor', threshold: k * noise, z: raw.gap === 0 ? 0 : raw.gap / noise };
}

function accuracyFigure(input: VerdictInput, splits: number, seed: number): Raw {
  const f = input.forget;
  // A whole forgotten class: what an unseen-class model scores on held-out rows of it, 0 each.
  const h = input.unseenClass ? { correct: new Uint8Array(input.heldOut.correct.length) } : input.heldOut;
  const accF = 100 * mean(f.correct);
  const accH = 100 * mean(h.correct);
  const spread = splitSpread(h.correct.length, splits, subSeed(seed, 'verdict-accuracy'), (a, b) => 100 * (mean(h.correct, a) - mean(h.correct, b)));
  const hits = (accF * f.correct.length + accH * h.correct.length) / 100;
  return {
    name: 'accuracy',
    forget: accF,
    reference: accH,
    gap: accF - accH,
    splitNoise: rescaled(spread, h.correct.length, f.correct.length, h.correct.length),
    floor: binomialFloor(hits, f.correct.length, h.correct.length),
  };
}

/** `higherIsSeen`: which direction of the values means "looks like training data" (low loss, high confidence). */
function distributionFigure(
  name: 'loss' | 'confidence',
  fValues: ArrayLike<number>,
  hValues: ArrayLike<number>,
  higherIsSeen: boolean,
  splits: number,
  seed: number,
): Raw {
  const r = higherIsSeen ? aucWithSe(fValues, hValues) : aucWithSe(hValues, fValues);
  const spread = splitSpread(hValues.length, splits, subSeed(seed, `verdict-${name}`), (a, b) => aucWithSe(pick(hValues, a), pick(hValues, b)).auc - 0.5);
  return {
    name,
    forget: r.auc,
    reference: 0.5,
    gap: r.auc - 0.5,
    se: r.se,
    ks: ksStatistic(fValues, hValues),
    splitNoise: rescaled(spread, hValues.length, fValues.length, hValues.length),
    floor: aucFloor(fValues.length, hValues.length),
  };
}

function trueLabelConfidence(s: SampleOutputs): Float64Array {
  return Float64Array.from(s.loss, (l) => Math.exp(-l));
}

function miaFigure(input: VerdictInput, splits: number, seed: number, opts: MiaOptions | undefined): { raw: Raw; converged: boolean } {
  const nF = input.forget.loss.length;
  const nH = input.heldOut.loss.length;
  const m = heldOutMia(
    trueLabelConfidence(input.forget),
    trueLabelConfidence(input.heldOut),
    trueLabelConfidence(input.retain),
    subSeed(seed, 'verdict-mia'),
    opts,
  );
  const flags = m.heldOutNonMember;
  const spread = splitSpread(nH, splits, subSeed(seed, 'verdict-mia-splits'), (a, b) => 100 * (mean(flags, a) - mean(flags, b)));
  const raw: Raw = {
    name: 'mia',
    forget: m.forgetEfficacy,
    reference: m.heldOutEfficacy,
    gap: m.heldOutEfficacy - m.forgetEfficacy,
    splitNoise: rescaled(spread, nH, nF, nH),
    floor: binomialFloor((m.forgetEfficacy * nF + m.heldOutEfficacy * nH) / 100, nF, nH),
  };
  return { raw, converged: m.converged };
}

function retainFigure(input: VerdictInput, splits: number, seed: number): Raw {
  const c = input.retain.correct;
  const ra = 100 * mean(c);
  const spread = splitSpread(c.length, splits, subSeed(seed, 'verdict-retain'), (a, b) => 100 * (mean(c, a) - mean(c, b)));
  return {
    name: 'retain',
    forget: ra,
    reference: input.originalRetainAccuracy,
    gap: ra - input.originalRetainAccuracy,
    splitNoise: rescaled(spread, c.length, c.length, Infinity),
    floor: binomialFloor((ra * c.length) / 100, c.length, Infinity),
  };
}

function checkInput(input: VerdictInput): void {
  for (const [name, s] of [
    ['forget', input.forget],
    ['heldOut', input.heldOut],
    ['retain', input.retain],
  ] as const) {
    const n = s.correct.length;
    if (n < 2) throw new RangeError(`verdict: the ${name} set needs at least 2 samples, got ${n}`);
    if (s.loss.length !== n || s.confidence.length !== n) throw new RangeError(`verdict: ${name}'s correct, loss and confidence differ in length`);
  }
  if (!Number.isFinite(input.originalRetainAccuracy)) throw new RangeError('verdict: originalRetainAccuracy must be a finite percentage');
}

/** The verdict on one unlearned model from its per-sample outputs on Df, held-out data and Dr. */
export function retrainFreeVerdict(input: VerdictInput, options: VerdictOptions = {}): Verdict {
  checkInput(input);
  const seed = options.seed ?? 0;
  const splits = options.splits ?? 200;
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`verdict: alpha must be in (0, 1), got ${alpha}`);
  if (!Number.isInteger(splits) || splits < 2) throw new RangeError(`verdict: splits must be an integer ≥ 2, got ${splits}`);
  const k = normalQuantile(1 - alpha / (2 * FIGURE_COUNT));
  const mia = miaFigure(input, splits, seed, options.mia);
  const figures = [
    accuracyFigure(input, splits, seed),
    distributionFigure('loss', input.forget.loss, input.heldOut.loss, false, splits, seed),
    distributionFigure('confidence', input.forget.confidence, input.heldOut.confidence, true, splits, seed),
    mia.raw,
    retainFigure(input, splits, seed),
  ].map((r) => figure(r, k));
  // Retain accuracy gained is no sign of remembering Df; only its loss counts (flaggedFigures).
  const flagged = flaggedFigures(figures, k);
  const strongest = flagged.reduce<VerdictFigure | undefined>((best, f) => (!best || Math.abs(f.z) > Math.abs(best.z) ? f : best), undefined);
  const label: VerdictLabel = !strongest ? 'looks unseen' : strongest.z > 0 ? 'still remembers' : 'over-forgot';
  const score = figures.reduce((s, f) => s + Math.abs(f.z), 0) / figures.length;
  const reason = verdictReason(figures, k);
  return { label, figures, score, k, seed, splits, alpha, reason, miaConverged: mia.converged };
}
