// A saliency-only job: θo's saliency map on Df, the mask for the configured ratio or γ, and its
// per-layer statistics, written to a run folder of its own.
import type { SaliencyJobConfig } from '../../../protocol/config';
import type { RunResult } from '../../../protocol/results';
import { RunFolder } from '../../../store/runs/runFolder';
import { runGuarded } from '../shared/guard';
import { prepare, startBackend } from './prepare';
import type { JobContext } from '../shared/jobContext';
import { saliencyStep } from './saliencyStep';
import { maskWarnings } from '../shared/saliencyWriter';
import { versions } from '../shared/versions';

export function runSaliencyJob(config: SaliencyJobConfig, ctx: JobContext): Promise<RunResult> {
  const folder = RunFolder.create(ctx.workspaceDir, 'saliency');
  return runGuarded(folder, ctx, async () => {
    folder.writeConfig({ ...config, kind: 'saliency' });
    const backend = await startBackend(config, ctx);
    ctx.emit({ type: 'started', kind: 'saliency', runId: folder.runId, runDir: folder.dir, backend });
    const p = await prepare(config, ctx, backend);
    folder.writeConfig({ ...config, kind: 'saliency', versions: versions(), forgetSize: p.split.forget.length });
    const s = await saliencyStep(p, config.saliency, config.train.batchSize, folder, ctx);
    return {
      runId: folder.runId,
      runDir: folder.dir,
      backend: p.backend,
      rows: [],
      saliency: s.summary,
      ...(maskWarnings(s.summary).length ? { warnings: maskWarnings(s.summary) } : {}),
    };
  });
}
