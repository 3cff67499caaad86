// A generation job run as one step of a larger one (the generation table's seeds, the grid's
// points): its own run folder and status as ever, its phases, progress and logs passed on, its start
// and metrics said as log lines tagged with the step (the larger job has its own start), its rows
// kept for the larger job's table.
import { basename, join } from 'node:path';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { JobEvent, JobKind } from '../../../protocol/jobMessages';
import type { BackendInfo, GenerationMetricsRow } from '../../../protocol/results';
import { createFolder, writeJsonAtomic } from '../../../store/runs/atomic';
import { CancelledError } from '../../../store/errors';
import { selectBackend } from '../../backend/select';
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

/** Where a table of steps ended early: the steps it lacks, and why. */
export interface StepsPartial {
  missing: string[];
  why: string;
}

/** What every table of steps records besides its rows. */
export interface StepsEnd {
  backend: BackendInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
  partial?: StepsPartial;
}

export interface StepsJob<D, R> {
  kind: Extract<JobKind, 'gen-table' | 'gen-grid'>;
  config: GenerationConfig | Omit<GenerationConfig, 'seed'> | Omit<GenerationConfig, 'methods'>;
  ctx: JobContext;
  outDir: string;
  steps: readonly { tag: string; config: GenerationConfig; done: (r: { runId: string; rows: GenerationMetricsRow[] }) => D }[];
  /** Writes the table of the steps done (all, or up to a cancel or failure) and returns it. */
  write: (done: D[], end: StepsEnd) => R;
}

/**
 * The larger job: its backend, its folder, its own start and config.json, then each step's
 * generation job in turn; a cancel or failure writes the steps done, with the ones missing, before
 * the job ends as that step's did.
 */
export async function runGenerationSteps<D, R>(job: StepsJob<D, R>): Promise<R> {
  const t0 = Date.now();
  const { ctx, outDir } = job;
  const backend = await selectBackend(job.config.backend);
  createFolder(outDir);
  ctx.emit({ type: 'started', kind: job.kind, runId: basename(outDir), runDir: outDir, backend });
  writeJsonAtomic(join(outDir, 'config.json'), job.config);
  const end = (partial?: StepsPartial): StepsEnd => ({
    backend,
    date: new Date().toISOString(),
    wallSeconds: (Date.now() - t0) / 1000,
    outDir,
    ...(partial ? { partial } : {}),
  });
  const done: D[] = [];
  for (const [i, step] of job.steps.entries()) {
    try {
      done.push(step.done(await runGenerationStep(step.config, ctx, step.tag)));
    } catch (e) {
      const why = e instanceof CancelledError ? 'cancelled' : `${step.tag} failed: ${e instanceof Error ? e.message : String(e)}`;
      job.write(done, end({ missing: job.steps.slice(i).map((s) => s.tag), why }));
      throw e;
    }
  }
  return job.write(done, end());
}
