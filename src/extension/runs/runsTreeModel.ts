// What the Runs view shows for each entry of the workspaces' .salun/runs: its label, line, icon,
// context value (which menu items apply) and tooltip. No vscode import, so that every malformed
// run folder can be put in front of it in plain Node (test/fault); runsTree.ts only maps the entries
// to TreeItems. Never throws: an entry that cannot be described shows as a warning, on its own.
import { describeRun, listRuns, runVerdict, type RunSummary } from '../../store/runs/readRuns';
import { axesText } from '../../protocol/verdictText';
import { runHasModel } from '../../store/runs/modelExport';
import { metricsLine } from '../../protocol/results';
import { jobKindFacts } from '../../protocol/jobMessages';

export const STATE_ICONS: Record<string, string> = {
  finished: 'pass',
  stopped: 'stop-circle',
  failed: 'error',
  cancelled: 'circle-slash',
  interrupted: 'debug-disconnect',
  running: 'sync~spin',
  unknown: 'question',
};

export interface RunTreeEntry {
  run: RunSummary;
  description: string;
  /** A codicon id. */
  icon: string;
  /**
   * `salun.run.<state>`: package.json's menus hide Delete, Re-run and Export only for
   * `salun.run.running`, so an interrupted run (state 'interrupted') keeps them. A finished or
   * stopped run with a model of its own in model/ is `salun.run.<state>.model`, which Export
   * Unlearned Model needs.
   */
  contextValue: string;
  tooltip: string;
  /** Clicking opens report.md (a run that measured a model), else reveals the folder. */
  opens: 'report' | 'folder';
}

const f2 = (x: number): string => x.toFixed(2);

function tooltipOf(run: RunSummary): string {
  const lines = [`**${run.runId}** — ${run.state}`, ''];
  for (const r of run.rows) {
    lines.push(`- ${r.role}: ${metricsLine(r.metrics, f2, ', ')}${r.avgGap !== undefined ? `, gap ${f2(r.avgGap)}` : ''}`);
  }
  const verdict = runVerdict(run);
  if (verdict) lines.push('', `Without a Retrain: ${axesText(verdict)}`);
  for (const g of run.generation ?? []) lines.push(`- ${g.label}: UA ${f2(g.ua)}, retained accuracy ${f2(g.retainedAccuracy)}`);
  if (run.error) lines.push('', `Error: ${run.error}`);
  for (const p of run.problems) lines.push('', `⚠ ${p}`);
  return lines.join('\n') + '\n';
}

function contextValueOf(run: RunSummary): string {
  const ended = run.state === 'finished' || run.state === 'stopped';
  return `salun.run.${run.state}${ended && run.isFolder && runHasModel(run.dir) ? '.model' : ''}`;
}

export function runTreeEntry(run: RunSummary): RunTreeEntry {
  try {
    return {
      run,
      description: describeRun(run),
      icon: run.isFolder ? (STATE_ICONS[run.state] ?? 'question') : 'warning',
      contextValue: contextValueOf(run),
      tooltip: tooltipOf(run),
      opens: (run.state === 'finished' || run.state === 'stopped') && !jobKindFacts(run.kind)?.opensFolder && run.isFolder ? 'report' : 'folder',
    };
  } catch (e) {
    // The reader checks every shape; this keeps one entry it did not foresee from emptying the view.
    const why = e instanceof Error ? e.message : String(e);
    return {
      run,
      description: `⚠ cannot be shown: ${why}`,
      icon: 'warning',
      contextValue: 'salun.run.unknown',
      tooltip: `**${run.runId}**\n\n⚠ ${why}\n`,
      opens: 'folder',
    };
  }
}

/** Every entry of the given workspace folders, each folder's newest first. */
export function runTreeEntries(workspaceDirs: readonly string[]): RunTreeEntry[] {
  return workspaceDirs.flatMap((ws) => listRuns(ws)).map(runTreeEntry);
}
