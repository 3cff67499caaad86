// A generation job run as one step of a larger one (the generation table's seeds, the grid's
// points): its own run folder and status as ever, its phases, progress and logs passed on, its start
// and metrics said as log lines tagged with the step (the larger job has its own start), its rows
// kept for the larger job's table.
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { JobEvent } from '../../../protocol/jobMessages';
import type { GenerationMetricsRow } from '../../../protocol/results';
import type { JobContext } from '../shared/jobContext';
import { runGenerationJob } from './job';

export async function runGenerationStep(config: GenerationConfig, ctx: JobContext, tag: string): Promise<{ runId: string; rows: GenerationMetricsRow[] }> {
  const rows: GenerationMetricsRow[] = [];
  let runId = '?';
  const emit = (e: JobEvent): void => {
    if (e.type === 'started') {
      runId = e.runId;
      ctx.emit({ type: 'log', level: 'info', message: `${tag}: run folder ${e.runDir}` });
    } else if (e.type === 'generationMetrics') {
      rows.push(e.row);
      ctx.emit({
        type: 'log',
        level: 'info',
        message: `${tag}: ${e.row.label}: UA ${e.row.ua.toFixed(1)}%, retained accuracy ${e.row.retainedAccuracy.toFixed(1)}%`,
      });
    } else if (e.type !== 'samples') ctx.emit(e);
  };
  await runGenerationJob(config, { ...ctx, emit });
  return { runId, rows };
}
