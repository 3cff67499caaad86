// Compare Runs and Export Run Report: Markdown (and CSV) written from run folders, then opened.
// Both take arguments from scripts and tests (no pick, no dialog) and resolve with what they wrote.
import * as vscode from 'vscode';
import type { ComparisonRun } from '../../protocol/webviewMessages';
import { jobKindFacts } from '../../protocol/jobMessages';
import { writeFileAtomic } from '../../store/runs/atomic';
import { listRuns, type RunSummary } from '../../store/runs/readRuns';
import { readRunRecord } from '../../store/runs/runRecord';
import { runReportMarkdown } from '../../store/runs/runReport';
import { exportedGenerationReport } from '../../store/runs/generationReportExport';
import { targetFolder } from '../jobs/commands';
import { COMMAND_IDS } from '../commandIds';
import { comparisonRuns, latestRetrainGroup } from './comparisonRuns';
import {
  comparableRuns,
  comparisonReportPath,
  comparisonTexts,
  csvBeside,
  parseCompareArgs,
  parseExportArgs,
  runForget,
  runPickEntry,
  runReportDefaultPath,
  workspaceOfRun,
  type ComparisonFiles,
} from './reportFiles';
import { confinedOutFile, confinedRunDir } from './pathConfinement';
import { registerModelExportCommand } from './modelExportCommand';
import { registerAuditReportCommand } from './auditReportCommand';
import { RunItem } from './runsTree';

export interface ReportCommandDeps {
  log: vscode.LogOutputChannel;
  revealPanel(): Promise<void>;
}

export function registerReportCommands(deps: ReportCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.compareRuns, (arg?: unknown) => compareRuns(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.exportRunReport, (arg?: unknown) => exportRunReport(deps, arg)),
    registerModelExportCommand(deps.log),
    registerAuditReportCommand(deps.log),
  ];
}

function workspaceDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

function noFolder(what: string): undefined {
  void vscode.window
    .showErrorMessage(`SalUn: ${what} reads the run folders of the workspace (.salun/runs): open a folder first.`, 'Open Folder')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.files.openFolder');
    });
  return undefined;
}

/** The Markdown in the preview (the text editor where there is no Markdown extension). Never throws. */
async function openMarkdown(deps: ReportCommandDeps, path: string): Promise<void> {
  const uri = vscode.Uri.file(path);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch (err) {
    deps.log.warn(`report: no Markdown preview (${err instanceof Error ? err.message : String(err)}); opening ${path} as text`);
    await Promise.resolve(vscode.window.showTextDocument(uri, { preview: true })).catch((e2: unknown) => {
      deps.log.warn(`report: could not open ${path}: ${e2 instanceof Error ? e2.message : String(e2)}`);
    });
  }
}

interface RunPick extends vscode.QuickPickItem {
  runId: string;
}

/** Resolves with the written Markdown and CSV paths; undefined when nothing was written. */
async function compareRuns(deps: ReportCommandDeps, arg: unknown): Promise<ComparisonFiles | undefined> {
  const args = parseCompareArgs(arg);
  const dirs = workspaceDirs();
  if (!dirs.length) return noFolder('Compare Runs');
  const runs = comparableRuns(comparisonRuns(dirs, Number.POSITIVE_INFINITY));
  let runIds: string[];
  if (args) {
    const unknown = args.runIds.filter((id) => !runs.some((r) => r.runId === id));
    if (unknown.length)
      throw new Error(`salun.compareRuns: no finished or stopped unlearning run ${unknown.join(', ')} in ${dirs.map((d) => `${d}/.salun/runs`).join(', ')}.`);
    runIds = args.runIds;
  } else {
    if (!runs.length) {
      void vscode.window
        .showInformationMessage('SalUn: there is no finished or stopped unlearning run to compare yet.', 'New Unlearning Run')
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand(COMMAND_IDS.newRun);
        });
      return undefined;
    }
    const group = new Set(latestRetrainGroup(runs));
    const items = runs.map((r): RunPick => ({ ...runPickEntry(r, runForget(r.dir)), runId: r.runId, picked: group.has(r.runId) }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'SalUn: Compare Runs',
      canPickMany: true,
      matchOnDescription: true,
      matchOnDetail: true,
      placeHolder: "Runs to compare (preselected: those sharing the newest run's Retrain); Retrain comes first, the smallest Avg. Gap is marked ★",
    });
    if (!picked?.length) return undefined;
    runIds = picked.map((p) => p.runId);
  }
  const chosen = runs.filter((r) => runIds.includes(r.runId));
  const workspaceDir = workspaceOfRun(chosen[0].dir) ?? targetFolder()?.uri.fsPath ?? dirs[0];
  const markdown = args?.outFile ? confinedOutFile(workspaceDir, args.outFile, COMMAND_IDS.compareRuns) : comparisonReportPath(workspaceDir, chosen.length);
  const files: ComparisonFiles = { markdown, csv: csvBeside(markdown) };
  const texts = comparisonTexts(runs, runIds, new Date().toISOString());
  if (!write(files.markdown, texts.markdown) || !write(files.csv, texts.csv)) return undefined;
  deps.log.info(`Compared ${chosen.length} run(s) (${runIds.join(', ')}): ${files.markdown}, ${files.csv}`);
  // The command settles with its files written, not with the editor.
  void openMarkdown(deps, files.markdown);
  void deps.revealPanel();
  return files;
}

function write(path: string, text: string): boolean {
  try {
    writeFileAtomic(path, text);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`SalUn: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** Every run folder of the workspace folders, newest first. */
function allRuns(): RunSummary[] {
  return workspaceDirs()
    .flatMap((ws) => listRuns(ws))
    .sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

async function pickRun(): Promise<RunSummary | undefined> {
  const runs = allRuns().filter((r) => r.state !== 'running');
  if (!runs.length) {
    void vscode.window.showInformationMessage('SalUn: there is no run to report on yet.', 'New Unlearning Run').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMAND_IDS.newRun);
    });
    return undefined;
  }
  const items = runs.map((r): RunPick => {
    const forget = runForget(r.dir);
    const asRun: Pick<ComparisonRun, 'runId' | 'method' | 'state' | 'rows'> = { runId: r.runId, method: r.method ?? '?', state: r.state, rows: r.rows };
    const entry = runPickEntry(asRun, forget);
    const what = r.kind === 'saliency' ? 'Saliency map' : r.kind === 'evaluate' ? 'Model evaluation' : undefined;
    return { ...entry, ...(what ? { label: `${what}${forget ? ` · ${forget}` : ''}` } : {}), runId: r.runId };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'SalUn: Export Run Report',
    placeHolder: 'Which run?',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked ? runs.find((r) => r.runId === picked.runId) : undefined;
}

/**
 * `arg`: a Runs tree item, a run folder (Uri or path), or `{ runId, outFile? }`; nothing: pick one.
 * Resolves with the written path; undefined when nothing was written.
 */
async function exportRunReport(deps: ReportCommandDeps, arg: unknown): Promise<string | undefined> {
  const args = parseExportArgs(arg);
  let dir: string | undefined;
  if (args) {
    dir = allRuns().find((r) => r.runId === args.runId)?.dir;
    if (!dir)
      throw new Error(
        `salun.exportRunReport: no run ${args.runId} in ${
          workspaceDirs()
            .map((d) => `${d}/.salun/runs`)
            .join(', ') || 'the workspace (no folder is open)'
        }.`,
      );
  } else if (arg instanceof RunItem) {
    dir = arg.run.dir;
  } else if (arg instanceof vscode.Uri && arg.scheme === 'file') {
    dir = confinedRunDir(workspaceDirs(), arg.fsPath, COMMAND_IDS.exportRunReport);
  } else if (typeof arg === 'string' && arg.length > 0) {
    dir = confinedRunDir(workspaceDirs(), arg, COMMAND_IDS.exportRunReport);
  } else {
    if (!workspaceDirs().length) return noFolder('Export Run Report');
    dir = (await pickRun())?.dir;
  }
  if (!dir) return undefined;
  const record = readRunRecord(dir);
  const workspaceDir = workspaceOfRun(dir) ?? targetFolder()?.uri.fsPath ?? dir;
  let out: string | undefined;
  if (args?.outFile) {
    out = confinedOutFile(workspaceDir, args.outFile, COMMAND_IDS.exportRunReport);
  } else {
    const uri = await vscode.window.showSaveDialog({
      title: `SalUn: Export the report of ${record.runId}`,
      saveLabel: 'Export Report',
      defaultUri: vscode.Uri.file(runReportDefaultPath(workspaceDir, record.runId)),
      filters: { Markdown: ['md'] },
    });
    out = uri?.fsPath;
  }
  if (!out) return undefined;
  const generatedAt = new Date().toISOString();
  let markdown = runReportMarkdown(record, { generatedAt });
  if (jobKindFacts(record.config?.kind)?.drawsSamples) {
    // The job's own report knows its sample grids and their table; the general one does not.
    const gen = exportedGenerationReport(dir, out, generatedAt);
    if (gen.markdown !== undefined) markdown = gen.markdown;
    else deps.log.warn(`report: ${gen.problem ?? 'no report.md'}; exported the general report of ${record.runId} instead`);
  }
  if (!write(out, markdown)) return undefined;
  deps.log.info(`Exported the report of ${record.runId}: ${out}${record.problems.length ? ` (unreadable: ${record.problems.join('; ')})` : ''}`);
  void openMarkdown(deps, out);
  return out;
}
