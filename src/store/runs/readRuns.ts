// Reads run folders back (for the runs tree, the comparison list, `salun runs` and re-runs). Tolerant
// by design: a run that is still being written, was cut short, or holds a damaged file shows what it
// has, with its problems, rather than disappearing or taking the list down with it.
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { metricsLine, type EvaluatedModel, type GenerationMetricsRow, type RunVerdict } from '../../protocol/results';
import { generationLine } from '../../protocol/generationTable';
import { isOneOf, isRecord, isString } from '../../protocol/guards';
import { RUN_FOLDER_KINDS } from '../../protocol/configKinds';
import type { JobKind } from '../../protocol/jobMessages';
import { runProcessGone } from './liveness';
import { parseMetricsLog } from './metricsLog';
import { runsRoot, type RunState, type RunStatus } from './runFolder';
import { readGenerationRows } from './readRunGeneration';
import { readRunJson, reportRows, runStatusOf } from './runShapes';

export interface RunSummary {
  runId: string;
  dir: string;
  /** The job kind that wrote the folder (one of configKinds.ts's RUN_FOLDER_KINDS). */
  kind: JobKind | 'unknown';
  method?: string;
  /** 'interrupted' also when status.json says running but its process is gone (liveness.ts). */
  state: RunState | 'unknown';
  startedAt?: string;
  error?: string;
  /** The process that wrote (or writes) the run, from status.json. */
  pid?: number;
  hostname?: string;
  /** False for an entry of .salun/runs that is not a folder (a file, a dangling link): listed with its problem, never opened. */
  isFolder: boolean;
  /** The final rows of report.json (Original, Retrain, the method) that have the right shape. */
  rows: EvaluatedModel[];
  /** A generation run's rows of generation-metrics.json (θo, each method, Retrain) that have the right shape. */
  generation?: GenerationMetricsRow[];
  /** Problems met while reading (unreadable files, rows left out); the run is still listed. */
  problems: string[];
}

export interface RunsListing {
  runs: RunSummary[];
  /** What kept .salun/runs itself from being read (a file in its place, no permission). */
  problems: string[];
}

function configFields(raw: unknown, problems: string[]): Pick<RunSummary, 'kind' | 'method'> {
  if (raw === undefined) return { kind: 'unknown' };
  if (!isRecord(raw)) {
    problems.push('config.json: not an object');
    return { kind: 'unknown' };
  }
  const kind = isOneOf(raw.kind, RUN_FOLDER_KINDS) ? raw.kind : 'unknown';
  if (raw.method !== undefined && !isString(raw.method)) problems.push('config.json: method is not a string');
  return { kind, ...(isString(raw.method) ? { method: raw.method } : {}) };
}

function stateOf(status: RunStatus | undefined): RunState | 'unknown' {
  if (!status) return 'unknown';
  return runProcessGone(status) ? 'interrupted' : status.state;
}

/** metrics.jsonl's damaged lines; a torn last line is only news when nothing is writing any more. */
function metricsProblems(dir: string, state: RunState | 'unknown', problems: string[]): void {
  let text: string;
  try {
    text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'ENOENT') problems.push(`metrics.jsonl: ${err.message}`);
    return;
  }
  const log = parseMetricsLog(text);
  if (log.corruptLines.length)
    problems.push(`metrics.jsonl: unreadable line(s) ${log.corruptLines.slice(0, 5).join(', ')}${log.corruptLines.length > 5 ? ', …' : ''}`);
  if (log.tornTail && state !== 'running') problems.push('metrics.jsonl: the last line is cut short');
}

export function readRun(dir: string, runId: string): RunSummary {
  const problems: string[] = [];
  const config = configFields(readRunJson(join(dir, 'config.json'), problems), problems);
  const status = runStatusOf(readRunJson(join(dir, 'status.json'), problems), problems);
  const rows = reportRows(readRunJson(join(dir, 'report.json'), problems), problems);
  const state = stateOf(status);
  if (state === 'interrupted' && status?.state === 'running')
    problems.push(`status.json says running, but its process ${status.pid} on ${status.hostname} is gone`);
  metricsProblems(dir, state, problems);
  // Whichever kind wrote generation-metrics.json, its figures are shown.
  const generation = readGenerationRows(dir, problems);
  return {
    runId,
    dir,
    ...config,
    state,
    ...(status?.startedAt ? { startedAt: status.startedAt } : {}),
    ...(status?.error ? { error: status.error.message } : {}),
    ...(status?.pid !== undefined ? { pid: status.pid } : {}),
    ...(status?.hostname !== undefined ? { hostname: status.hostname } : {}),
    isFolder: true,
    rows,
    ...(generation ? { generation } : {}),
    problems,
  };
}

/** An entry of .salun/runs that cannot be read as a run: still listed, so the user sees it and can remove it. */
function notARun(dir: string, runId: string, problem: string): RunSummary {
  return { runId, dir, kind: 'unknown', state: 'unknown', isFolder: false, rows: [], problems: [problem] };
}

function entryProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'not a folder (a file where a run folder should be)';
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    let link: string | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
    } catch {
      /* gone between the listing and now */
    }
    return link !== undefined ? `a link to ${link}, which does not exist` : err.message;
  }
}

function readEntry(root: string, name: string): RunSummary {
  const dir = join(root, name);
  const problem = entryProblem(dir);
  if (problem) return notARun(dir, name, problem);
  try {
    return readRun(dir, name);
  } catch (e) {
    // readRun catches what it knows; this is the per-entry backstop for what it does not.
    return { ...notARun(dir, name, `unreadable: ${(e as Error).message}`), isFolder: true };
  }
}

/** Every entry of a workspace's .salun/runs, newest first (run ids start with a UTC timestamp). */
export function readRunsFolder(workspaceDir: string): RunsListing {
  const root = runsRoot(workspaceDir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { runs: [], problems: [] };
    const what = err.code === 'ENOTDIR' ? `${root} is a file, not a folder: move it away so runs can be recorded` : `${root}: ${err.message}`;
    return { runs: [], problems: [what] };
  }
  // Dot entries are temporaries of atomic writes (atomic.ts), never runs.
  // Ids sort by their second; two runs started in the same second (Compute Saliency, then Evaluate)
  // are ordered by status.json's startedAt, which has milliseconds, rather than by their labels.
  const second = (r: RunSummary): string => r.runId.slice(0, 'yyyymmdd-hhmmss'.length);
  const runs = names
    .filter((n) => !n.startsWith('.'))
    .map((n) => readEntry(root, n))
    .sort((a, b) => second(b).localeCompare(second(a)) || (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.runId.localeCompare(a.runId));
  return { runs, problems: [] };
}

/** Every entry of a workspace's .salun/runs, newest first; never throws. */
export function listRuns(workspaceDir: string): RunSummary[] {
  return readRunsFolder(workspaceDir).runs;
}

/** The Avg. Gap of the run's unlearned row, when it has one. */
export function runGap(r: RunSummary): number | undefined {
  return r.rows.find((x) => x.role === 'unlearned')?.avgGap;
}

/** The Retrain-free verdict on the run's unlearned model; absent in runs from before it existed. */
export function runVerdict(r: RunSummary): RunVerdict | undefined {
  return r.rows.find((x) => x.role === 'unlearned')?.verdict;
}

/** One line for lists: the method's metrics and its gap to Retrain. */
export function describeRun(r: RunSummary): string {
  if (!r.isFolder) return `⚠ ${r.problems[0] ?? 'not a run folder'}`;
  // A run is its method; every other kind of job is named by its kind.
  const method = r.kind === 'run' || r.kind === 'unknown' ? (r.method ?? '?') : r.kind;
  const row = r.rows.find((x) => x.role === 'unlearned');
  const warn = r.problems.length ? ` · ⚠ ${r.problems.length} problem${r.problems.length > 1 ? 's' : ''}` : '';
  // A generation run's figures are per model, with no Retrain gap: each model's UA and retained accuracy.
  if (r.generation?.length) return `${method}${r.state === 'finished' ? '' : ` · ${r.state}`} · ${generationLine(r.generation)}${warn}`;
  // A stopped run kept a model and measured it: its metrics are as real as a finished run's.
  if ((r.state !== 'finished' && r.state !== 'stopped') || !row) return `${method} · ${r.state}${warn}`;
  const state = r.state === 'stopped' ? ' · stopped' : '';
  const gap = row.avgGap !== undefined ? ` · gap ${row.avgGap.toFixed(2)}` : '';
  return `${method}${state}${gap} · ${metricsLine(row.metrics, (x) => x.toFixed(1), ' ')}${warn}`;
}
