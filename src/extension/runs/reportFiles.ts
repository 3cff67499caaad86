// The pure half of Compare Runs and Export Run Report: what the commands accept from scripts, where
// their files go, what the pick lists show, and the comparison's text. No `vscode` import
// (unit-tested); reportCommands.ts asks the questions and opens the files.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { ComparisonRun } from '../../protocol/webviewMessages';
import { isRecord, isString } from '../../protocol/guards';
import { metricsLine } from '../../protocol/results';
import { comparisonCsv, comparisonReport, comparisonRows, formatFixed, methodDisplayName, type ComparedRun } from '../../protocol/comparisonFormat';
import { forgetOfRecord } from '../../store/runs/runReport';
import { newRunId } from '../../store/runs/runFolder';

/** `executeCommand('salun.compareRuns', { runIds, outFile? })`: no pick, no dialog. */
export interface CompareRunsArgs {
  runIds: string[];
  /** The Markdown file; the CSV goes beside it. Relative paths are relative to the workspace folder. */
  outFile?: string;
}

/** `executeCommand('salun.exportRunReport', { runId, outFile? })`: no pick; no dialog with outFile. */
export interface ExportReportArgs {
  runId: string;
  outFile?: string;
}

/** Compare Runs' arguments, undefined when `x` is not an arguments object; throws when it is a bad one. */
export function parseCompareArgs(x: unknown): CompareRunsArgs | undefined {
  if (!isRecord(x) || !('runIds' in x)) return undefined;
  if (!Array.isArray(x.runIds) || x.runIds.length === 0 || !x.runIds.every((id) => isString(id) && id.length > 0)) {
    throw new Error('salun.compareRuns: runIds must be a non-empty list of run ids (folder names under .salun/runs).');
  }
  if (x.outFile !== undefined && !(isString(x.outFile) && x.outFile.length > 0)) throw new Error('salun.compareRuns: outFile must be a path.');
  return { runIds: [...new Set(x.runIds as string[])], ...(isString(x.outFile) ? { outFile: x.outFile } : {}) };
}

export function parseExportArgs(x: unknown): ExportReportArgs | undefined {
  if (!isRecord(x) || !('runId' in x)) return undefined;
  if (!isString(x.runId) || x.runId.length === 0) throw new Error('salun.exportRunReport: runId must be a run id (a folder name under .salun/runs).');
  if (x.outFile !== undefined && !(isString(x.outFile) && x.outFile.length > 0)) throw new Error('salun.exportRunReport: outFile must be a path.');
  return { runId: x.runId, ...(isString(x.outFile) ? { outFile: x.outFile } : {}) };
}

export function resolveOutFile(workspaceDir: string, outFile: string): string {
  return isAbsolute(outFile) ? outFile : resolve(workspaceDir, outFile);
}

/** The CSV written beside a comparison's Markdown: same name, .csv. */
export function csvBeside(markdownPath: string): string {
  const ext = extname(markdownPath);
  return `${ext ? markdownPath.slice(0, -ext.length) : markdownPath}.csv`;
}

/** <workspace>/.salun/comparisons/<stamp>-<n>runs.md, never an existing file. */
export function comparisonReportPath(workspaceDir: string, runCount: number, now = new Date(), exists: (path: string) => boolean = existsSync): string {
  const base = join(workspaceDir, '.salun', 'comparisons', newRunId(`${runCount}runs`, now));
  let path = `${base}.md`;
  for (let i = 2; exists(path) || exists(csvBeside(path)); i++) path = `${base}-${i}.md`;
  return path;
}

/** The default of Export Run Report's save dialog. */
export function runReportDefaultPath(workspaceDir: string, runId: string): string {
  return join(workspaceDir, `${runId}-report.md`);
}

/** The workspace folder that owns a run folder <ws>/.salun/runs/<id>, or undefined for one elsewhere. */
export function workspaceOfRun(runDir: string): string | undefined {
  const runs = dirname(runDir);
  return basename(runs) === 'runs' && basename(dirname(runs)) === '.salun' ? dirname(dirname(runs)) : undefined;
}

/** Runs whose unlearned model was measured: finished, or stopped with the model kept. */
export function comparableRuns(runs: readonly ComparisonRun[]): ComparisonRun[] {
  return runs.filter((r) => (r.state === 'finished' || r.state === 'stopped') && r.rows.some((x) => x.role === 'unlearned'));
}

/** The forget set a run's config.json names ("random 10% (seed 1)"), if it can be read. */
export function runForget(runDir: string): string | undefined {
  try {
    const config: unknown = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    return isRecord(config) ? forgetOfRecord(config) : undefined;
  } catch {
    return undefined;
  }
}

export interface PickEntry {
  label: string;
  description: string;
  detail: string;
}

/** One line of the pick lists: method and forget set, the run id and state, the key metrics and gap. */
export function runPickEntry(run: Pick<ComparisonRun, 'runId' | 'method' | 'state' | 'rows' | 'setting'>, forget: string | undefined): PickEntry {
  const u = run.rows.find((r) => r.role === 'unlearned');
  const metrics = u ? metricsLine(u.metrics, (x) => formatFixed(x), ' · ') : 'no evaluated model';
  const gap = u?.avgGap !== undefined ? ` · gap ${formatFixed(u.avgGap)}` : '';
  return {
    label: `${methodDisplayName(run.method)}${run.setting?.model ? ` · ${run.setting.model}` : ''}${forget ? ` · ${forget}` : ''}`,
    description: `${run.runId}${run.state === 'finished' ? '' : ` (${run.state})`}`,
    detail: `${metrics}${gap}`,
  };
}

export interface ComparisonFiles {
  markdown: string;
  csv: string;
}

/** The comparison of `runIds` (in the runs' order, newest first) as Markdown and CSV text. */
export function comparisonTexts(
  runs: readonly ComparisonRun[],
  runIds: readonly string[],
  generatedAt: string,
  forgetOf: (dir: string) => string | undefined = runForget,
): ComparisonFiles {
  const selected = new Set(runIds);
  const rows = comparisonRows(runs, selected);
  const compared: ComparedRun[] = runs
    .filter((r) => selected.has(r.runId))
    .map((r) => {
      const forget = forgetOf(r.dir);
      return {
        runId: r.runId,
        method: r.method,
        state: r.state,
        dir: r.dir,
        ...(forget ? { forget } : {}),
        ...(r.setting?.model ? { model: r.setting.model } : {}),
      };
    });
  return { markdown: comparisonReport(rows, { generatedAt, runs: compared }), csv: comparisonCsv(rows) };
}
