// One entry for both job kinds, shared by the job process and the CLI: validates the config,
// runs the job, and turns every ending into exactly one final event.
import type { JobCommand, JobEvent } from '../../protocol/jobMessages';
import type { RunResult } from '../../protocol/results';
import { ConfigError, parseRunConfig, parseSaliencyJobConfig } from '../../protocol/runConfigSchema';
import { CancelledError } from '../errors';
import { toJobError } from './guard';
import { runUnlearningJob } from './runJob';
import { runSaliencyJob } from './saliencyJob';

export async function dispatchJob(
  command: Extract<JobCommand, { type: 'start' }>, emit: (e: JobEvent) => void, signal: AbortSignal,
): Promise<RunResult | undefined> {
  const ctx = { workspaceDir: command.workspaceDir, emit, signal };
  try {
    const result = command.kind === 'run'
      ? await runUnlearningJob(parseRunConfig(command.config), ctx)
      : await runSaliencyJob(parseSaliencyJobConfig(command.config), ctx);
    emit({ type: 'finished', result });
    return result;
  } catch (e) {
    if (e instanceof CancelledError) emit({ type: 'cancelled' });
    else if (e instanceof ConfigError) emit({ type: 'failed', error: { message: e.message, hint: 'Fix the listed settings and start again.' } });
    else emit({ type: 'failed', error: toJobError(e) });
    return undefined;
  }
}
