// How many saliency scores are exactly 0, and so which ratios still have a threshold γ > 0. Zeros
// (weights behind dead ReLU units, or with no path to the loss on the forget set) are all equal: a
// ratio that reaches into them makes γ = 0, and the mask takes zero-score weights in weight order
// (SaliencyIndex.layerCounts' tie rule), not by saliency. The largest ratio with γ > 0 is the share
// of positive scores, because the top ⌊ratio·total⌋ then holds positive scores only.
import type { SaliencyScores } from './mask';

export interface SaliencyZeros {
  total: number;
  /** Scores that are not positive (exact zeros; a NaN counts here too, as logScoreHistogram counts it). */
  zeros: number;
  /** zeros / total. */
  zeroShare: number;
  /** The largest ratio with γ > 0: positive / total (0 when every score is 0). */
  maxPositiveRatio: number;
}

export function saliencyZeros(scores: SaliencyScores): SaliencyZeros {
  let total = 0;
  let zeros = 0;
  for (const layer of scores.scores) {
    total += layer.length;
    for (let j = 0; j < layer.length; j++) if (!(layer[j] > 0)) zeros++;
  }
  return { total, zeros, zeroShare: total ? zeros / total : 0, maxPositiveRatio: total ? (total - zeros) / total : 0 };
}

/** Whether a ratio's γ (the smallest of the top ⌊ratio·total⌋ scores) is 0: the top reaches into the zeros. */
export function ratioReachesZeros(z: SaliencyZeros, ratio: number): boolean {
  return Math.floor(ratio * z.total) > z.total - z.zeros;
}

/**
 * A ratio to offer instead: maxPositiveRatio rounded *down* to two significant digits, so that it
 * keeps γ > 0 (0.4237 → 0.42); undefined when no ratio has γ > 0.
 */
export function suggestedRatio(z: SaliencyZeros): number | undefined {
  const r = z.maxPositiveRatio;
  if (!(r > 0)) return undefined;
  const digits = Math.max(2, 1 - Math.floor(Math.log10(r)));
  const scale = 10 ** digits;
  const down = Math.floor(r * scale) / scale;
  return down > 0 ? +down.toFixed(digits) : undefined;
}
