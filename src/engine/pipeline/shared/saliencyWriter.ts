// The mask of a saliency map, and saliency/ in the run folder: the one writer every task's saliency
// step ends in (classification/saliencyStep.ts, generation/method.ts).
import type { SaliencyConfig } from '../../../protocol/config';
import type { SaliencySummary } from '../../../protocol/results';
import { UserError } from '../../../store/errors';
import { writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import type { RunFolder } from '../../../store/runs/runFolder';
import { buildMask, packMask, SaliencyIndex, type SaliencyScores } from '../../../store/saliency/mask';
import { DEFAULT_RATIO } from '../../../protocol/defaults';
import type { JobContext } from './jobContext';

export interface SaliencyOutcome {
  index: SaliencyIndex;
  summary: SaliencySummary;
  masks: Uint8Array[];
  seconds: number;
}

/**
 * What the mask means for the run that the numbers alone do not say: a γ above every score lets
 * no weight move, so the masked method returns θo unchanged (a "SalUn" that forgot nothing).
 */
export function maskWarnings(summary: SaliencySummary | undefined): string[] {
  if (!summary || summary.salientWeights > 0) return [];
  const top = Math.max(0, ...summary.layers.map((l) => l.maxScore));
  return [
    `The saliency mask is empty: γ = ${summary.gamma} is above every score (the largest is ${top.toExponential(3)}), so no weight may move and the masked model stays θo. Lower γ below ${top.toExponential(3)}, or set a ratio instead.`,
  ];
}

/**
 * The one saliency writer of every task: from the scores, the mask the config asks for (γ, else the
 * ratio), emitted with its warnings and written to saliency/ — mask.bits, scores.f32 (any other
 * ratio can be re-derived from them) and summary.json.
 */
export function saliencyOutcome(
  scores: SaliencyScores,
  cfg: Pick<SaliencyConfig, 'ratio' | 'gamma'>,
  folder: Pick<RunFolder, 'path'>,
  ctx: Pick<JobContext, 'emit'>,
  startedAt: number,
): SaliencyOutcome {
  const index = new SaliencyIndex(scores);
  if (cfg.gamma !== undefined && !(cfg.gamma >= 0))
    throw new UserError(`γ must be a non-negative number, got ${cfg.gamma}.`, 'Leave γ unset to use the ratio instead.');
  const summary = cfg.gamma !== undefined ? index.summaryForGamma(cfg.gamma) : index.summaryForRatio(cfg.ratio ?? DEFAULT_RATIO);
  const masks = buildMask(index, summary);
  const seconds = (Date.now() - startedAt) / 1000;
  ctx.emit({ type: 'saliency', summary });
  for (const message of maskWarnings(summary)) ctx.emit({ type: 'log', level: 'warn', message });
  writeFileAtomic(folder.path('saliency', 'mask.bits'), packMask(masks));
  const all = new Float32Array(index.total);
  let at = 0;
  for (const s of scores.scores) {
    all.set(s, at);
    at += s.length;
  }
  writeFileAtomic(folder.path('saliency', 'scores.f32'), new Uint8Array(all.buffer));
  writeJsonAtomic(folder.path('saliency', 'summary.json'), {
    ...summary,
    seconds,
    layout: 'mask.bits: 1 bit per trainable weight, layers in order, LSB first; scores.f32: the score per weight, float32 little-endian, same order',
  });
  return { index, summary, masks, seconds };
}
