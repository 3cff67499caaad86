// The γ control's host side: one run's saliency scores, sorted once, answering "what would the mask
// be at this ratio / this γ" by binary search (SaliencyIndex), with no tensor work and no job.
// No vscode import: the unit tests and the panel-replay recorder use it in plain Node.
import { basename } from 'node:path';
import type { HostToWebview, ScoreHistogram, ThresholdBy, ThresholdPreview } from '../../protocol/webviewMessages';
import type { SaliencySummary } from '../../protocol/results';
import { SaliencyIndex } from '../../store/saliency/mask';
import { logScoreHistogram } from '../../store/saliency/histogram';
import { readSaliency } from '../../store/runs/readSaliency';

export const HISTOGRAM_BINS = 60;

export class SaliencyPreview {
  private histogramCache: ScoreHistogram | undefined;

  constructor(
    readonly runId: string,
    readonly runDir: string,
    readonly summary: SaliencySummary,
    private readonly index: SaliencyIndex,
  ) {}

  get total(): number {
    return this.index.total;
  }

  histogram(): ScoreHistogram {
    this.histogramCache ??= logScoreHistogram(this.index.sortedAll, HISTOGRAM_BINS);
    return this.histogramCache;
  }

  scoresMessage(): Extract<HostToWebview, { type: 'saliencyScores' }> {
    return { type: 'saliencyScores', runId: this.runId, runDir: this.runDir, summary: this.summary, histogram: this.histogram() };
  }

  /**
   * The mask a ratio or γ would give. A ratio is clamped to [1/total, 1] (SaliencyIndex rejects 0);
   * a γ above every score yields an empty mask with ratio 0.
   */
  preview(by: ThresholdBy, value: number): ThresholdPreview {
    const s = by === 'ratio' ? this.index.summaryForRatio(Math.min(1, Math.max(1 / this.index.total, value))) : this.index.summaryForGamma(Math.max(0, value));
    return {
      ratio: s.ratio,
      gamma: s.gamma,
      salientWeights: s.salientWeights,
      totalWeights: s.totalWeights,
      layers: s.layers.map((l) => ({ name: l.name, salient: l.salient, total: l.count, fraction: l.salientFraction })),
    };
  }
}

/** Reads and indexes a run folder's saliency map; throws SaliencyReadError when it is missing or incomplete. */
export function loadSaliencyScores(runDir: string, runId = basename(runDir)): SaliencyPreview {
  const stored = readSaliency(runDir);
  return new SaliencyPreview(runId, runDir, stored.summary, new SaliencyIndex(stored.scores));
}
