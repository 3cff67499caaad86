// The generation grid search (protocol/genGrid.ts): the method's generation job at every point, each
// from the same θo in its own run folder, then one table of the points in
// <workspace>/.salun/grids/<stamp>-gen-<method>-forget<c>/. No point is marked best (genGrid.ts says
// why). A cancel or failure part-way keeps the points done, marked partial.
import { join } from 'node:path';
import {
  genGridCells,
  genGridPoints,
  pointConfig,
  type GenerationGridConfig,
  type GenerationGridPointResult,
  type GenerationGridResult,
} from '../../../protocol/genGrid';
import { FID_CLASSIFIER_NOTE } from '../../../protocol/generationTable';
import { pointLabel } from '../../../protocol/grid';
import { methodLabel } from '../../../protocol/methods';
import { markdownTable } from '../../../protocol/tableText';
import { writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import { newStudyDir } from '../../../store/runs/runFolder';
import type { JobContext } from '../shared/jobContext';
import { runGenerationSteps } from './subJob';

/** <workspace>/.salun/grids/<stamp>-gen-<method>-forget<c>/, never an existing folder. */
export function defaultGenerationGridDir(workspaceDir: string, config: GenerationGridConfig, now = new Date()): string {
  return newStudyDir(workspaceDir, 'grids', `gen-${config.method}-forget${config.forgetClass}`, now);
}

export function runGenerationGrid(config: GenerationGridConfig, ctx: JobContext, outDir: string): Promise<GenerationGridResult> {
  return runGenerationSteps({
    kind: 'gen-grid',
    config,
    ctx,
    outDir,
    steps: genGridPoints(config).map((point) => {
      const label = pointLabel(point);
      return { tag: label, config: pointConfig(config, point), done: (r): GenerationGridPointResult => ({ label, point, ...r }) };
    }),
    write: (points, end) => {
      const result: GenerationGridResult = { config, points, ...end };
      writeJsonAtomic(join(outDir, 'grid.json'), result);
      writeFileAtomic(join(outDir, 'grid.md'), generationGridMarkdown(result));
      return result;
    },
  });
}

export function generationGridMarkdown(g: GenerationGridResult): string {
  const c = g.config;
  return [
    `# SalUn Lab generation grid: ${methodLabel(c.method)}, forget class ${c.forgetClass}`,
    '',
    `- Axes: ${c.axes.map((a) => `${a.param} ${a.values.join(', ')}`).join('; ')}${g.partial ? ` — **partial** (${g.partial.why}; missing ${g.partial.missing.join('; ')})` : ''}`,
    `- Seed ${c.seed}; ${c.sampling.samplesPerClass} images per class for the metrics; the rest of the recipe: ${c.unlearn.iterations} steps, lr ${c.unlearn.lr}, batch ${c.unlearn.batchSize}`,
    `- Backend: ${g.backend.name} (${g.backend.detail}); ${g.date}; wall time ${g.wallSeconds.toFixed(1)} s`,
    `- Each point's run folder (grids, model, report): ${g.points.map((p) => `${p.label}: .salun/runs/${p.runId}`).join('; ') || 'none finished'}`,
    '',
    markdownTable(genGridCells(g)),
    '',
    "No point is marked best: a generation job has no Retrain-free score to minimise. A higher UA with the retained accuracy and FID-classifier near θo's is the aim; one seed, so compare differences with the spread `salun gen-demo --seeds` shows.",
    '',
    FID_CLASSIFIER_NOTE,
    '',
  ].join('\n');
}
