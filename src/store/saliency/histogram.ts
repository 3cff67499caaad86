// The distribution of saliency scores for the γ control: |g| spans many decades (1e-9 … 1e-1 in
// the CNN), so bins are equal-width in log10|g|. Exact zeros (weights behind dead ReLU units) have
// no logarithm and are counted apart; they matter, because γ = 0 makes them all salient.
import type { ScoreHistogram } from '../../protocol/webviewMessages';

/** `sorted` must be ascending and non-negative (SaliencyIndex.sortedAll). */
export function logScoreHistogram(sorted: Float32Array, binCount = 60): ScoreHistogram {
  let firstPositive = 0;
  while (firstPositive < sorted.length && !(sorted[firstPositive] > 0)) firstPositive++;
  const bins = new Array<number>(binCount).fill(0);
  const total = sorted.length;
  const zeros = firstPositive;
  if (firstPositive === total) return { log10Min: 0, log10Max: 0, bins, zeros, total };
  const lo = Math.log10(sorted[firstPositive]);
  const hi = Math.log10(sorted[total - 1]);
  const width = hi > lo ? (hi - lo) / binCount : 1;
  for (let i = firstPositive; i < total; i++) {
    const b = Math.floor((Math.log10(sorted[i]) - lo) / width);
    bins[Math.min(binCount - 1, Math.max(0, b))]++;
  }
  return { log10Min: lo, log10Max: hi > lo ? hi : lo + 1, bins, zeros, total };
}
