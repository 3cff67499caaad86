// The generation table (protocol/genTable.ts): the generation job once per seed, each in its own run
// folder (the Runs view lists them, with their grids and models), then every model as mean ± std
// over the seeds in <workspace>/.salun/tables/<stamp>-gen-…/. The seeds' jobs speak through this
// job: their phases and logs pass on (the progress plan is theirs, seed after seed), their own
// start and metrics events become log lines. A cancel or failure part-way still writes the table of
// the seeds done, marked partial, before the job ends as the seed's job did.
import { join } from 'node:path';
import {
  generationTableRows,
  generationSeedTableCells,
  seedConfig,
  type GenerationTableConfig,
  type GenerationTableResult,
  type GenerationTableSeed,
} from '../../../protocol/genTable';
import { FID_CLASSIFIER_NOTE } from '../../../protocol/generationTable';
import { markdownTable } from '../../../protocol/tableText';
import { writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import { newStudyDir } from '../../../store/runs/runFolder';
import type { JobContext } from '../shared/jobContext';
import { runGenerationSteps } from './subJob';

/** <workspace>/.salun/tables/<stamp>-gen-forget<c>/, never an existing folder. */
export function defaultGenerationTableDir(workspaceDir: string, config: GenerationTableConfig, now = new Date()): string {
  return newStudyDir(workspaceDir, 'tables', `gen-forget${config.forgetClass}`, now);
}

export function runGenerationTable(config: GenerationTableConfig, ctx: JobContext, outDir: string): Promise<GenerationTableResult> {
  return runGenerationSteps({
    kind: 'gen-table',
    config,
    ctx,
    outDir,
    steps: config.seeds.map((seed) => ({ tag: `seed ${seed}`, config: seedConfig(config, seed), done: (r): GenerationTableSeed => ({ seed, ...r }) })),
    write: (seeds, end) => {
      const result: GenerationTableResult = { config, rows: generationTableRows(seeds), seeds, ...end };
      writeJsonAtomic(join(outDir, 'table.json'), result);
      writeFileAtomic(join(outDir, 'table.md'), generationTableMarkdown(result));
      return result;
    },
  });
}

export function generationTableMarkdown(t: GenerationTableResult): string {
  const c = t.config;
  return [
    `# SalUn Lab generation table: forget class ${c.forgetClass}`,
    '',
    `- Seeds: ${c.seeds.join(', ')}${t.partial ? ` — **partial** (${t.partial.why}; missing ${t.partial.missing.join(', ')})` : ''}`,
    `- Methods: ${c.methods.join(', ')}; ${c.unlearn.iterations} unlearning steps each, ${c.sampling.samplesPerClass} images per class for the metrics`,
    `- θo: ${c.original.kind === 'file' ? `${c.original.path}, the same model for every seed (the seeds vary the unlearning draws and the samples)` : 'trained per seed (cached by its recipe and seed)'}`,
    `- Backend: ${t.backend.name} (${t.backend.detail}); ${t.date}; wall time ${t.wallSeconds.toFixed(1)} s`,
    `- Each seed's run folder (grids, models, report): ${t.seeds.map((s) => `seed ${s.seed}: .salun/runs/${s.runId}`).join('; ') || 'none finished'}`,
    '',
    markdownTable(generationSeedTableCells(t.rows)),
    '',
    'Mean ± sample standard deviation over the seeds (n − 1); UA: share of images generated for the forgotten class that the judge does not call it; Acc. retained: the judge on the other classes.',
    '',
    FID_CLASSIFIER_NOTE,
    '',
  ].join('\n');
}
