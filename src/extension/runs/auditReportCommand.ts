// Export Audit Report: what a reviewer files about one run (audit.json, audit.md, SHA256SUMS),
// written by the store (auditReportExport.ts) exactly as `salun audit-report` writes it. From a
// run's context menu or the palette it asks where (the run folder's audit-report, or a folder of
// the user's); from a script (`{ runId, outDir? }`) it asks nothing, writes only under the
// workspace's .salun, and resolves with what it wrote.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { defaultAuditReportDir, exportAuditReport, type AuditReportExport } from '../../store/runs/auditReportExport';
import { targetFolder } from '../jobs/commands';
import { COMMAND_IDS } from '../commandIds';
import { auditReportErrorText, auditReportNotice, changedBeforeFiles, parseExportAuditReportArgs, whereEntries, type WhereEntry } from './auditReportArgs';
import { exportRunDir, type ExportCommand } from './exportableRuns';
import { confinedOutFile } from './pathConfinement';
import { workspaceOfRun } from './reportFiles';

const ID = COMMAND_IDS.exportAuditReport;
const COMMAND: ExportCommand = { id: ID, title: 'Export Audit Report', nothingYet: 'SalUn: no finished unlearning run has a model to report on yet.' };

export function registerAuditReportCommand(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(ID, (arg?: unknown) => exportAuditReportOf(log, arg));
}

/** The folder to write: the run folder's audit-report or one the user opens; undefined on Escape. */
async function askWhere(runId: string, runDir: string, workspaceDir: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick<WhereEntry>(whereEntries(runDir), {
    title: `SalUn: Export the audit report of ${runId}`,
    placeHolder: 'Where? (audit.json, audit.md and SHA256SUMS in one folder)',
    matchOnDetail: true,
  });
  if (picked?.where !== 'choose') return picked ? defaultAuditReportDir(runDir) : undefined;
  // The dialog picks an existing folder; the store refuses one that holds other files (nothing is replaced).
  const uris = await vscode.window.showOpenDialog({
    title: `SalUn: Export the audit report of ${runId} (a new or empty folder)`,
    openLabel: 'Export Audit Report',
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(workspaceDir),
  });
  return uris?.[0]?.fsPath;
}

function announce(written: AuditReportExport): void {
  const notice = auditReportNotice(written);
  const buttons = ['Open audit.md', 'Reveal in Explorer'] as const;
  const shown =
    notice.level === 'warning' ? vscode.window.showWarningMessage(notice.text, ...buttons) : vscode.window.showInformationMessage(notice.text, ...buttons);
  const markdown = vscode.Uri.file(written.files[1]);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(markdown) !== undefined;
  void shown.then((choice) => {
    if (choice === 'Open audit.md') void vscode.window.showTextDocument(markdown);
    if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', markdown);
  });
}

function logWritten(log: vscode.LogOutputChannel, runId: string, written: AuditReportExport): void {
  const audit = written.report.evidence.audit;
  log.info(`Exported the audit report of ${runId}: ${written.files.join(', ')}${audit ? ` (citing the audit in ${audit.dir})` : ''}`);
  for (const f of changedBeforeFiles(written)) log.warn(`audit report of ${runId}: θo's ${f.path} is ${f.now} since the run`);
  for (const p of written.report.problems) log.warn(`audit report of ${runId}: ${p}`);
}

/**
 * `arg`: a Runs tree item, a run folder (Uri or path), `{ runId, outDir? }`, or nothing (pick a
 * run). Resolves with what was written; undefined when nothing was. A scripted call's problems are
 * thrown; the user's are shown.
 */
async function exportAuditReportOf(log: vscode.LogOutputChannel, arg: unknown): Promise<AuditReportExport | undefined> {
  const args = parseExportAuditReportArgs(arg);
  const dir = await exportRunDir(COMMAND, arg, args?.runId);
  if (!dir) return undefined;
  const runId = basename(dir);
  const workspaceDir = workspaceOfRun(dir) ?? targetFolder()?.uri.fsPath ?? dir;
  try {
    const out = !args
      ? await askWhere(runId, dir, workspaceDir)
      : args.outDir !== undefined
        ? confinedOutFile(workspaceDir, args.outDir, ID, 'outDir')
        : defaultAuditReportDir(dir);
    if (!out) return undefined;
    const written = await exportAuditReport(dir, out);
    logWritten(log, runId, written);
    announce(written);
    return written;
  } catch (e) {
    if (args) throw new Error(`${ID}: ${auditReportErrorText(e, true)}`);
    void vscode.window.showErrorMessage(`SalUn: ${auditReportErrorText(e, false)}`);
    return undefined;
  }
}
