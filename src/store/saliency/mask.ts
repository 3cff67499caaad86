// From saliency scores to a mask: a global top-`ratio` ranking (the authors' default) or an explicit
// threshold γ. Per-layer sorted scores are kept so that any γ or ratio maps to per-layer sparsity
// with one binary search per layer, without touching the weights again.
import type { LayerSaliency, SaliencySummary } from '../../protocol/results';
import { UserError } from '../errors';

/** Saliency scores as the engine computes them and the run folder stores them (scores.f32). */
export interface SaliencyScores {
  names: string[];
  shapes: number[][];
  /** |g| per weight, one array per trainable variable, in the model's weight order. */
  scores: Float32Array[];
}

export class SaliencyIndex {
  /** Each layer's scores sorted ascending. */
  readonly sortedByLayer: Float32Array[];
  /** All scores sorted ascending (for ratio → γ). */
  readonly sortedAll: Float32Array;
  readonly total: number;

  constructor(readonly source: SaliencyScores) {
    this.sortedByLayer = source.scores.map((s) => Float32Array.from(s).sort());
    this.total = source.scores.reduce((n, s) => n + s.length, 0);
    const all = new Float32Array(this.total);
    let at = 0;
    for (const s of source.scores) {
      all.set(s, at);
      at += s.length;
    }
    this.sortedAll = all.sort();
  }

  /** How many weights a ratio makes salient: ⌊ratio·total⌋, as the authors' int(len·ratio). */
  countForRatio(ratio: number): number {
    if (!(ratio > 0 && ratio <= 1)) throw new UserError(`The saliency ratio must be in (0, 1], got ${ratio}.`, 'Use e.g. 0.5 to let half of the weights move.');
    return Math.floor(ratio * this.total);
  }

  /** γ implied by a ratio: the smallest score among the top ⌊ratio·total⌋. */
  gammaForRatio(ratio: number): number {
    const k = this.countForRatio(ratio);
    return k === 0 ? Infinity : this.sortedAll[this.total - k];
  }

  /** Ratio implied by γ: the share of weights with score ≥ γ. */
  ratioForGamma(gamma: number): number {
    return (this.total - lowerBound(this.sortedAll, gamma)) / this.total;
  }

  /**
   * Per-layer salient counts for exactly k salient weights. Ties at the threshold are broken in
   * weight order (layer by layer, element by element), the same rule buildMask applies.
   */
  layerCounts(k: number): number[] {
    if (k <= 0) return this.sortedByLayer.map(() => 0);
    const gamma = this.sortedAll[this.total - k];
    const above = this.sortedByLayer.map((s) => s.length - upperBound(s, gamma));
    let tiesLeft = k - above.reduce((a, b) => a + b, 0);
    return this.sortedByLayer.map((s, i) => {
      const ties = upperBound(s, gamma) - lowerBound(s, gamma);
      const take = Math.min(ties, tiesLeft);
      tiesLeft -= take;
      return above[i] + take;
    });
  }

  summaryForRatio(ratio: number): SaliencySummary {
    const k = this.countForRatio(ratio);
    return this.summary(k, this.gammaForRatio(ratio), ratio);
  }

  summaryForGamma(gamma: number): SaliencySummary {
    const k = this.total - lowerBound(this.sortedAll, gamma);
    return this.summary(k, gamma, k / this.total);
  }

  private summary(k: number, gamma: number, ratio: number): SaliencySummary {
    const counts = this.layerCounts(k);
    const layers: LayerSaliency[] = this.sortedByLayer.map((s, i) => ({
      name: this.source.names[i],
      shape: this.source.shapes[i],
      count: s.length,
      salient: counts[i],
      salientFraction: s.length ? counts[i] / s.length : 0,
      minScore: s[0],
      medianScore: s[Math.floor((s.length - 1) / 2)],
      maxScore: s[s.length - 1],
    }));
    return { ratio, gamma, totalWeights: this.total, salientWeights: k, layers };
  }
}

/** First index with a[i] ≥ v. */
function lowerBound(a: Float32Array, v: number): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] > v. */
function upperBound(a: Float32Array, v: number): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The mask as one boolean array per layer, consistent with SaliencyIndex.layerCounts. */
export function buildMask(index: SaliencyIndex, summary: SaliencySummary): Uint8Array[] {
  const k = summary.salientWeights;
  if (k === 0) return index.source.scores.map((s) => new Uint8Array(s.length));
  if (k === index.total) return index.source.scores.map((s) => new Uint8Array(s.length).fill(1));
  const gamma = index.sortedAll[index.total - k];
  let tiesLeft = k - index.sortedByLayer.reduce((n, s) => n + s.length - upperBound(s, gamma), 0);
  return index.source.scores.map((s) => {
    const m = new Uint8Array(s.length);
    for (let j = 0; j < s.length; j++) {
      if (s[j] > gamma) m[j] = 1;
      else if (s[j] === gamma && tiesLeft > 0) {
        m[j] = 1;
        tiesLeft--;
      }
    }
    return m;
  });
}

/** Bit-packs masks (8 weights a byte, layer after layer) for the run folder. */
export function packMask(masks: Uint8Array[]): Uint8Array {
  const total = masks.reduce((n, m) => n + m.length, 0);
  const out = new Uint8Array(Math.ceil(total / 8));
  let bit = 0;
  for (const m of masks) for (let j = 0; j < m.length; j++, bit++) if (m[j]) out[bit >> 3] |= 1 << (bit & 7);
  return out;
}

export function unpackMask(bits: Uint8Array, sizes: number[]): Uint8Array[] {
  let bit = 0;
  return sizes.map((n) => {
    const m = new Uint8Array(n);
    for (let j = 0; j < n; j++, bit++) m[j] = (bits[bit >> 3] >> (bit & 7)) & 1;
    return m;
  });
}
