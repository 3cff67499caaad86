// Reads run folders back (for the runs tree, comparisons and re-runs). Tolerant by design: a run
// that is still being written, or was cut short, shows what it has rather than disappearing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluatedModel } from '../../protocol/results';
import { runsRoot, type RunState, type RunStatus } from './runFolder';

export interface RunSummary {
  runId: string;
  dir: string;
  kind: 'run' | 'saliency' | 'evaluate' | 'unknown';
  method?: string;
  state: RunState | 'unknown';
  startedAt?: string;
  error?: string;
  /** The final rows of report.json (Original, Retrain, the method), when the run finished. */
  rows: EvaluatedModel[];
  /** Problems met while reading (unparsable files); the run is still listed. */
  problems: string[];
}

function readJson<T>(path: string, problems: string[]): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    problems.push(`${path}: ${(e as Error).message}`);
    return undefined;
  }
}

export function readRun(dir: string, runId: string): RunSummary {
  const problems: string[] = [];
  const config = readJson<{ kind?: string; method?: string }>(join(dir, 'config.json'), problems);
  const status = readJson<RunStatus>(join(dir, 'status.json'), problems);
  const report = readJson<{ rows?: EvaluatedModel[] }>(join(dir, 'report.json'), problems);
  const kind = config?.kind === 'run' || config?.kind === 'saliency' || config?.kind === 'evaluate' ? config.kind : 'unknown';
  return {
    runId, dir, kind, method: config?.method, state: status?.state ?? 'unknown', startedAt: status?.startedAt,
    error: status?.error?.message, rows: Array.isArray(report?.rows) ? report.rows : [], problems,
  };
}

/** Every run folder of a workspace, newest first (run ids start with a UTC timestamp). */
export function listRuns(workspaceDir: string): RunSummary[] {
  const root = runsRoot(workspaceDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory())
    .sort()
    .reverse()
    .map((name) => readRun(join(root, name), name));
}

/** One line for lists: the method's metrics and its gap to Retrain. */
export function describeRun(r: RunSummary): string {
  const method = r.kind === 'saliency' || r.kind === 'evaluate' ? r.kind : r.method ?? '?';
  const row = r.rows.find((x) => x.role === 'unlearned');
  // A stopped run kept a model and measured it: its metrics are as real as a finished run's.
  if ((r.state !== 'finished' && r.state !== 'stopped') || !row) return `${method} · ${r.state}`;
  const m = row.metrics;
  const state = r.state === 'stopped' ? ' · stopped' : '';
  const gap = row.avgGap !== undefined ? ` · gap ${row.avgGap.toFixed(2)}` : '';
  return `${method}${state}${gap} · UA ${m.UA.toFixed(1)} RA ${m.RA.toFixed(1)} TA ${m.TA.toFixed(1)} MIA ${m.MIA.toFixed(1)}`;
}
