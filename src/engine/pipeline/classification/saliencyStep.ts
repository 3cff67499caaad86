// Computes the saliency map of θo on Df and the mask the config asks for; writes saliency/ into the run folder.
import type { SaliencyConfig } from '../../../protocol/config';
import type { RunFolder } from '../../../store/runs/runFolder';
import { PhaseProgress } from '../../progress';
import { computeSaliencyScores } from '../../saliency/scores';
import type { JobContext } from '../shared/jobContext';
import { saliencyOutcome, type SaliencyOutcome } from '../shared/saliencyWriter';
import type { Prepared } from './prepare';

export async function saliencyStep(
  p: Prepared,
  cfg: SaliencyConfig,
  batchSize: number,
  folder: Pick<RunFolder, 'path'>,
  ctx: JobContext,
): Promise<SaliencyOutcome> {
  ctx.emit({ type: 'phase', phase: 'saliency', label: `Saliency map over ${p.split.forget.length} forget samples` });
  const progress = new PhaseProgress(ctx.emit, 'saliency', p.split.forget.length);
  const t0 = Date.now();
  const scores = await computeSaliencyScores(p.original, p.data.train, p.split.forget, batchSize, ctx.signal, (done) => progress.update(done));
  return saliencyOutcome(scores, cfg, folder, ctx, t0);
}
