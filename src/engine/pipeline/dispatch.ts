// One entry for every job kind, shared by the job process (the panel's jobs) and the CLI (every
// `salun` subcommand): validates the config with its kind's parser, runs the job, stamps the whole
// job's progress on its phase and progress events (the one figure every display shows), and turns
// every ending into exactly one final event.
import { basename, join } from 'node:path';
import { parsedStartCommand } from '../../protocol/configKinds';
import { toJobError } from '../../protocol/jobError';
import type { JobCommand, JobEvent } from '../../protocol/jobMessages';
import { JobProgress, jobPlan } from '../../protocol/jobProgress';
import type { RunResult } from '../../protocol/results';
import { isRecord } from '../../protocol/guards';
import { CancelledError } from '../../store/errors';
import { TrainingPool } from '../train/parallel';
import { runEvaluateJob } from './evaluateJob';
import { runGenerationJob } from './generationJob';
import { defaultGridDir, runGridJob } from './gridJob';
import type { JobContext } from './prepare';
import { runUnlearningJob } from './runJob';
import { runSaliencyJob } from './saliencyJob';
import { defaultTableDir, describeMissing, runTableJob } from './tableJob';

type StartCommand = Extract<JobCommand, { type: 'start' }>;

async function runKind(command: StartCommand, ctx: JobContext): Promise<RunResult> {
  switch (command.kind) {
    case 'run':
      return runUnlearningJob(command.config, ctx);
    case 'saliency':
      return runSaliencyJob(command.config, ctx);
    case 'evaluate':
      return runEvaluateJob(command.config, ctx);
    case 'table': {
      const outDir = command.outDir ?? defaultTableDir(command.workspaceDir, command.config);
      const t = await runTableJob(command.config, ctx, outDir);
      // The per-seed rows are in table.json; the event stream already carried each as 'evaluated'.
      const partial = t.stopped ? { done: t.stopped.modelsDone, of: t.stopped.modelsPlanned, missing: describeMissing(t.stopped.missing) } : undefined;
      return { runId: basename(outDir), runDir: outDir, backend: t.backend, rows: [], report: join(outDir, 'table.md'), ...(partial ? { partial } : {}) };
    }
    case 'grid': {
      const outDir = command.outDir ?? defaultGridDir(command.workspaceDir, command.config);
      const g = await runGridJob(command.config, ctx, outDir);
      // The points are in grid.json; the event stream already carried each as 'evaluated'.
      return { runId: basename(outDir), runDir: outDir, backend: g.backend, rows: [], report: join(outDir, 'grid.md') };
    }
    case 'generation':
      return runGenerationJob(command.config, ctx);
  }
}

export async function dispatchJob(command: StartCommand, emit: (e: JobEvent) => void, signal: AbortSignal, stop?: AbortSignal): Promise<RunResult | undefined> {
  // The worker threads (config `workers`) start at the job's first training pass and are stopped
  // before the final event, however the job ends. An invalid count never starts any: validation fails first.
  const workers = isRecord(command.config) && typeof command.config.workers === 'number' ? command.config.workers : 1;
  const training = new TrainingPool(workers, (level, message) => emit({ type: 'log', level, message }));
  const ctx: JobContext = { workspaceDir: command.workspaceDir, emit, signal, stop, training };
  let ending: JobEvent;
  let result: RunResult | undefined;
  try {
    const parsed = parsedStartCommand(command);
    const progress = new JobProgress(jobPlan(parsed));
    result = await runKind(parsed, { ...ctx, emit: (e) => emit(progress.stamp(e)) });
    ending = { type: 'finished', result };
  } catch (e) {
    ending = e instanceof CancelledError ? { type: 'cancelled' } : { type: 'failed', error: toJobError(e) };
  } finally {
    await training.terminate();
  }
  emit(ending);
  return result;
}
