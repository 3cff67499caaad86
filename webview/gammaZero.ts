// γ = 0: when the ratio asks for more weights than have a nonzero score, the threshold lands on 0 and
// every weight with |g| = 0 (behind dead ReLU units, say) is "salient" too; the mask is then filled
// with zero-gradient weights in the order the weights are stored, not by saliency. Pure, so the
// advice the panel shows is unit-tested.
import type { ScoreHistogram } from '../src/protocol/webviewMessages';

/** The advice the γ control shows; undefined when γ > 0 or no score is exactly 0. */
export interface GammaZeroAdvice {
  zeros: number;
  total: number;
  /** The largest ratio (rounded down to 3 decimals) whose γ is still above 0; 0 when none is. */
  suggestedRatio: number;
}

/**
 * The mask holds the top round(ratio · total) scores; γ > 0 exactly while that count is at most the
 * number of nonzero scores, so the largest such ratio is nonzero / total, rounded down so that the
 * count cannot round up past it.
 */
export function largestPositiveGammaRatio(h: Pick<ScoreHistogram, 'zeros' | 'total'>): number {
  if (h.total <= 0) return 0;
  return Math.floor(((h.total - h.zeros) / h.total) * 1000) / 1000;
}

export function gammaZeroAdvice(gamma: number, h: Pick<ScoreHistogram, 'zeros' | 'total'>): GammaZeroAdvice | undefined {
  if (gamma !== 0 || h.zeros <= 0) return undefined;
  return { zeros: h.zeros, total: h.total, suggestedRatio: largestPositiveGammaRatio(h) };
}
