// The run folders the panel's comparison table offers: every unlearning run of the workspace
// folders that has a report, with the ratio and γ its mask used. No vscode import (unit-tested).
import { join } from 'node:path';
import type { ComparisonRun } from '../../protocol/webviewMessages';
import { isFiniteNumber, isRecord } from '../../protocol/guards';
import { listRuns, type RunSummary } from '../../store/runs/readRuns';
import { readRunJson } from '../../store/runs/runShapes';
import { retrainKey } from '../../protocol/comparisonFormat';
import { runSettingOf, type RunSetting } from '../../protocol/runLabels';

/** Enough for a side panel; older runs stay in the Runs view. */
export const MAX_COMPARISON_RUNS = 50;

function maskOf(dir: string): { ratio?: number; gamma?: number } {
  // The mask's numbers are extra: an unreadable summary costs them, and the run is still offered.
  const s = readRunJson(join(dir, 'saliency', 'summary.json'), []);
  if (!isRecord(s)) return {};
  return { ...(isFiniteNumber(s.ratio) ? { ratio: s.ratio } : {}), ...(typeof s.gamma === 'number' && !Number.isNaN(s.gamma) ? { gamma: s.gamma } : {}) };
}

/** The model, data and forget set config.json names; an unreadable config costs only the labels. */
export function runSetting(dir: string): RunSetting {
  return runSettingOf(readRunJson(join(dir, 'config.json'), []));
}

/** A run of the list, or undefined when it has nothing to compare (listRuns has checked every row). */
function comparisonRun(r: RunSummary): ComparisonRun | undefined {
  if (!r.isFolder || r.kind !== 'run' || r.rows.length === 0) return undefined;
  const unlearned = r.rows.find((row) => row.role === 'unlearned');
  return {
    runId: r.runId,
    dir: r.dir,
    method: r.method ?? unlearned?.method ?? '?',
    state: r.state,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...maskOf(r.dir),
    rows: r.rows,
    setting: runSetting(r.dir),
  };
}

/**
 * Newest first, over all folders; runs without evaluated rows (saliency jobs, failures) are left out.
 * At most `limit` (the panel's list); the Compare Runs command asks for all.
 */
export function comparisonRuns(workspaceDirs: readonly string[], limit = MAX_COMPARISON_RUNS): ComparisonRun[] {
  const runs: ComparisonRun[] = [];
  for (const ws of workspaceDirs) {
    for (const r of listRuns(ws)) {
      const run = comparisonRun(r);
      if (run) runs.push(run);
    }
  }
  runs.sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
  return runs.slice(0, limit);
}

/**
 * The runs measured against the same Retrain as the newest run that has one: runs of one setting
 * (data, model, forget set, seed) share a cached Retrain, so equal Retrain metrics mark a group whose
 * gaps are comparable. In the given order; the newest run alone when no run has a Retrain.
 */
export function latestRetrainGroup(runs: readonly ComparisonRun[]): string[] {
  const anchor = runs.find((r) => retrainKey(r) !== undefined);
  if (!anchor) return runs.length ? [runs[0].runId] : [];
  const key = retrainKey(anchor);
  return runs.filter((r) => retrainKey(r) === key).map((r) => r.runId);
}

/** Whether `dir` is one of the listed run folders (the webview may only name those). */
export function isListedRun(workspaceDirs: readonly string[], dir: string): boolean {
  return workspaceDirs.some((ws) => listRuns(ws).some((r) => r.isFolder && r.dir === dir));
}
