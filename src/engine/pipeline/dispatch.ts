// One entry for every job kind, shared by the job process and the CLI: validates the config,
// runs the job, and turns every ending into exactly one final event.
import { basename, join } from 'node:path';
import type { JobCommand, JobEvent } from '../../protocol/jobMessages';
import type { RunResult } from '../../protocol/results';
import { ConfigError, parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig } from '../../protocol/runConfigSchema';
import { tableConfigProblems } from '../../protocol/table';
import { CancelledError } from '../errors';
import { runEvaluateJob } from './evaluateJob';
import { toJobError } from './guard';
import type { JobContext } from './prepare';
import { runUnlearningJob } from './runJob';
import { runSaliencyJob } from './saliencyJob';
import { defaultTableDir, runTableJob } from './tableJob';

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
      return { runId: basename(outDir), runDir: outDir, backend: t.backend, rows: [], report: join(outDir, 'table.md') };
    }
  }
}

export async function dispatchJob(
  command: StartCommand, emit: (e: JobEvent) => void, signal: AbortSignal, stop?: AbortSignal,
): Promise<RunResult | undefined> {
  const ctx: JobContext = { workspaceDir: command.workspaceDir, emit, signal, stop };
  try {
    const result = await runKind(command, ctx);
    emit({ type: 'finished', result });
    return result;
  } catch (e) {
    if (e instanceof CancelledError) emit({ type: 'cancelled' });
    else if (e instanceof ConfigError) emit({ type: 'failed', error: { message: e.message, hint: 'Fix the listed settings and start again.' } });
    else emit({ type: 'failed', error: toJobError(e) });
    return undefined;
  }
}
