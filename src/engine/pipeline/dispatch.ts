// One entry for every job kind, shared by the job process (the panel's jobs) and the CLI (every
// `salun` subcommand): validates the config with its kind's parser, runs the job, stamps the whole
// job's progress on its phase and progress events (the one figure every display shows), and turns
// every ending into exactly one final event.
import { parsedStartCommand, jobPlan } from '../../protocol/configKinds';
import { toJobError } from '../../protocol/jobError';
import type { JobEvent, StartCommand } from '../../protocol/jobMessages';
import { JobProgress } from '../../protocol/jobProgress';
import type { RunResult } from '../../protocol/results';
import { isRecord } from '../../protocol/guards';
import { CancelledError } from '../../store/errors';
import { TrainingPool } from '../train/parallel';
import { runJob } from './jobRunners';
import type { JobContext } from './shared/jobContext';

export async function dispatchJob(command: StartCommand, emit: (e: JobEvent) => void, signal: AbortSignal, stop?: AbortSignal): Promise<RunResult | undefined> {
  // The worker threads (config `workers`) start at the job's first training pass and are stopped
  // before the final event, however the job ends. An invalid count never starts any: validation fails first.
  const config: unknown = command.config;
  const workers = isRecord(config) && typeof config.workers === 'number' ? config.workers : 1;
  const training = new TrainingPool(workers, (level, message) => emit({ type: 'log', level, message }));
  const ctx: JobContext = { workspaceDir: command.workspaceDir, emit, signal, stop, training };
  let ending: JobEvent;
  let result: RunResult | undefined;
  try {
    const parsed = parsedStartCommand(command);
    const progress = new JobProgress(jobPlan(parsed));
    result = await runJob(parsed, { ...ctx, emit: (e) => emit(progress.stamp(e)) });
    ending = { type: 'finished', result };
  } catch (e) {
    ending = e instanceof CancelledError ? { type: 'cancelled' } : { type: 'failed', error: toJobError(e) };
  } finally {
    await training.terminate();
  }
  emit(ending);
  return result;
}
