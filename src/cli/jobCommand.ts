// Every `salun` job command ends here: a start command, validated by its kind's parser (naming the
// file or the flags at fault), then the same dispatch the panel's job process uses, under the
// terminal progress bar; the final event becomes the exit code.
import { CONFIG_PARSERS } from '../protocol/configKinds';
import { jobErrorText, toJobError } from '../protocol/jobError';
import type { JobCommand, JobEvent } from '../protocol/jobMessages';
import { metricsLine, type RunResult } from '../protocol/results';
import { dispatchJob } from '../engine/pipeline/dispatch';
import { abortOnCtrlC, fail } from './common';
import { TerminalProgress } from './progressBar';

export type StartCommand = Extract<JobCommand, { type: 'start' }>;

export interface JobCommandOptions {
  quiet: boolean;
  /** What a config problem is blamed on: the config file, or the flags ('the table options'). */
  source: string;
  /** The exit code of a config problem: 1 for a config file, 2 for bad flags. */
  configExitCode: 1 | 2;
  /** Print each evaluated model above the progress bar (the table, the grid). */
  evaluatedLines?: boolean;
  /** Added to "cancelled": where the part finished so far is kept. */
  whenCancelled?: string;
}

/** Fails (exit `code`) with the kind's config problems before anything starts. */
export function validateOrFail(command: StartCommand, source: string, code: 1 | 2): void {
  try {
    CONFIG_PARSERS[command.kind](command.config, source);
  } catch (e) {
    fail(jobErrorText(toJobError(e)), code);
  }
}

/** One line per evaluated model: the table's and the grid's running record in the terminal. */
function evaluatedLine(e: Extract<JobEvent, { type: 'evaluated' }>): string {
  const m = e.row.metrics;
  return `  = ${e.row.method}: ${metricsLine(m, (x) => x.toFixed(2), '  ')}${e.row.avgGap !== undefined ? `  gap ${e.row.avgGap.toFixed(2)}` : ''}  (${e.row.seconds.toFixed(1)} s)\n`;
}

/** Runs `command` to its end; resolves with the result, or exits with the job's error (1) or on a cancel (130). */
export async function runJobCommand(command: StartCommand, o: JobCommandOptions): Promise<RunResult> {
  validateOrFail(command, o.source, o.configExitCode);
  const abort = abortOnCtrlC();
  const progress = new TerminalProgress(o.quiet);
  let final: JobEvent | undefined;
  const result = await dispatchJob(
    command,
    (e) => {
      progress.handle(e);
      if (e.type === 'evaluated' && o.evaluatedLines && !o.quiet) {
        progress.clear();
        process.stderr.write(evaluatedLine(e));
      }
      if (e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled') final = e;
    },
    abort.signal,
  );
  progress.clear();
  if (final?.type === 'failed') fail(jobErrorText(final.error), 1);
  if (final?.type === 'cancelled' || !result) fail(`cancelled${o.whenCancelled ? `; ${o.whenCancelled}` : ''}`, 130);
  return result;
}
