// One entry for every job kind, shared by the job process and the CLI: validates the config,
// runs the job, and turns every ending into exactly one final event.
import { basename, join } from 'node:path';
import type { JobCommand, JobEvent } from '../../protocol/jobMessages';
import type { RunResult } from '../../protocol/results';
import { isRecord } from '../../protocol/guards';
import { ConfigError, parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig } from '../../protocol/runConfigSchema';
import { tableConfigProblems } from '../../protocol/table';
import { CancelledError } from '../errors';
import { TrainingPool } from '../train/parallel';
import { runEvaluateJob } from './evaluateJob';
import { toJobError } from './guard';
import type { JobContext } from './prepare';
import { runUnlearningJob } from './runJob';
import { runSaliencyJob } from './saliencyJob';
import { defaultTableDir, describeMissing, runTableJob } from './tableJob';

type StartCommand = Extract<JobCommand, { type: 'start' }>;

async function runKind(command: StartCommand, ctx: JobContext): Promise<RunResult> {
  switch (command.kind) {
    case 'run': return runUnlearningJob(parseRunConfig(command.config), ctx);
    case 'saliency': return runSaliencyJob(parseSaliencyJobConfig(command.config), ctx);
    case 'evaluate': return runEvaluateJob(parseEvaluateJobConfig(command.config), ctx);
    case 'table': {
      const problems = tableConfigProblems(command.config);
      if (problems.length) throw new ConfigError(problems, 'the table config');
      const outDir = defaultTableDir(command.workspaceDir, command.config);
      const t = await runTableJob(command.config, ctx, outDir);
      // The per-seed rows are in table.json; the event stream already carried each as 'evaluated'.
      const partial = t.stopped ? { done: t.stopped.modelsDone, of: t.stopped.modelsPlanned, missing: describeMissing(t.stopped.missing) } : undefined;
      return { runId: basename(outDir), runDir: outDir, backend: t.backend, rows: [], report: join(outDir, 'table.md'), ...(partial ? { partial } : {}) };
    }
  }
}

export async function dispatchJob(
  command: StartCommand, emit: (e: JobEvent) => void, signal: AbortSignal, stop?: AbortSignal,
): Promise<RunResult | undefined> {
  // The worker threads (config `workers`) start at the job's first training pass and are stopped
  // before the final event, however the job ends. An invalid count never starts any: validation fails first.
  const workers = isRecord(command.config) && typeof command.config.workers === 'number' ? command.config.workers : 1;
  const training = new TrainingPool(workers, (level, message) => emit({ type: 'log', level, message }));
  const ctx: JobContext = { workspaceDir: command.workspaceDir, emit, signal, stop, training };
  let ending: JobEvent;
  let result: RunResult | undefined;
  try {
    result = await runKind(command, ctx);
    ending = { type: 'finished', result };
  } catch (e) {
    if (e instanceof CancelledError) ending = { type: 'cancelled' };
    else if (e instanceof ConfigError) ending = { type: 'failed', error: { message: e.message, hint: 'Fix the listed settings and start again.' } };
    else ending = { type: 'failed', error: toJobError(e) };
  } finally {
    await training.terminate();
  }
  emit(ending);
  return result;
}
