// Reads a run folder's per-epoch metrics back from metrics.jsonl, for the panel's trend charts of a
// past run. metrics.jsonl is appended a line at a time while the job runs (atomic.ts appendLine),
// so a reader may meet a torn last line (a write in progress, or a crash mid-write); a line damaged
// any other way is skipped and counted. Never throws: a run shows what can be read of it.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseMetricsLog, type MetricsLog } from './metricsLog';
import { readRun } from './readRuns';
import type { RunState } from './runFolder';

// Its parser lives in metricsLog.ts (readRuns.ts needs it too); re-exported so the trend's callers import from one module.
export { parseMetricsLog, type EpochMetrics, type MetricsLog, type ReferenceRole } from './metricsLog';

export interface RunTrendRead extends MetricsLog {
  runId: string;
  dir: string;
  /** status.json's state; 'unknown' without a readable one. */
  state: RunState | 'unknown';
  /** There is no metrics.jsonl (a saliency job, or a run that failed before evaluating anything). */
  missing: boolean;
  /** Where the reference lines come from: metrics.jsonl, else report.json's rows. */
  referenceFrom: 'metrics' | 'report' | 'none';
  /** What could not be read, for the log; the trend still holds everything that could. */
  problems: string[];
}

/** The trend of one run folder: metrics.jsonl's epochs, with Original/Retrain as reference. */
export function readRunTrend(dir: string): RunTrendRead {
  const runId = basename(dir);
  const run = readRun(dir, runId);
  // readRun's own metrics.jsonl lines are replaced by the fuller ones below.
  const problems = run.problems.filter((p) => !p.startsWith('metrics.jsonl:'));
  const path = join(dir, 'metrics.jsonl');
  let text = '';
  let missing = false;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') missing = true;
    else problems.push(`${path}: ${err.message}`);
  }
  const log = parseMetricsLog(text);
  if (log.corruptLines.length)
    problems.push(
      `${path}: skipped ${log.corruptLines.length} unreadable line(s) (line ${log.corruptLines.slice(0, 5).join(', ')}${log.corruptLines.length > 5 ? ', …' : ''})`,
    );
  if (log.tornTail) problems.push(`${path}: the last line is incomplete (still being written, or cut short); skipped`);

  let referenceFrom: RunTrendRead['referenceFrom'] = log.reference.original || log.reference.retrain ? 'metrics' : 'none';
  const reference = { ...log.reference };
  if (referenceFrom === 'none') {
    // readRun has checked every row's shape (runShapes.ts).
    for (const row of run.rows) {
      if (row.role === 'original' || row.role === 'retrain') {
        reference[row.role] = row.metrics;
        referenceFrom = 'report';
      }
    }
  }
  return { ...log, reference, runId, dir, state: run.state, missing, referenceFrom, problems };
}
