// Export Unlearned Model: a run's model out of its run folder as ONNX, safetensors or tfjs. From a
// run's context menu or the palette it asks the format (only those the run has, each with how to
// load it) and where; from a script (`{ runId, format, outFile }`) it asks nothing, writes only
// under the workspace's .salun, and resolves with what it wrote. The copying is the store's
// (modelExport.ts), shared with `salun export`.
import * as vscode from 'vscode';
import {
  defaultExportPath,
  exportRunModel,
  MODEL_EXPORT_FORMATS,
  runModelFormats,
  type ModelExportFormat,
  type ModelExportResult,
  type RunModelFormats,
} from '../../store/runs/modelExport';
import { targetFolder } from '../jobs/commands';
import { COMMAND_IDS } from '../commandIds';
import { formatPickEntries, formatPickPlaceholder, parseExportModelArgs, type FormatPickEntry } from './modelExportArgs';
import { exportRunDir, userText, type ExportCommand } from './exportableRuns';
import { confinedOutFile } from './pathConfinement';
import { workspaceOfRun } from './reportFiles';

const ID = COMMAND_IDS.exportModel;
const COMMAND: ExportCommand = { id: ID, title: 'Export Unlearned Model', nothingYet: 'SalUn: no finished unlearning run has a model to export yet.' };

export function registerModelExportCommand(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(ID, (arg?: unknown) => exportModel(log, arg));
}

async function pickFormat(runId: string, formats: RunModelFormats): Promise<ModelExportFormat | undefined> {
  const picked = await vscode.window.showQuickPick<FormatPickEntry>(formatPickEntries(formats), {
    title: `SalUn: Export the unlearned model of ${runId}`,
    placeHolder: formatPickPlaceholder(formats),
    matchOnDetail: true,
  });
  return picked?.format;
}

async function askWhere(runId: string, workspaceDir: string, format: ModelExportFormat): Promise<string | undefined> {
  const row = MODEL_EXPORT_FORMATS[format];
  const ext = row.suffix.replace(/^\./, '');
  const uri = await vscode.window.showSaveDialog({
    title: row.folder ? `SalUn: Export ${runId} as a tfjs folder (a new or empty folder)` : `SalUn: Export ${runId} as ${row.label}`,
    saveLabel: 'Export Model',
    defaultUri: vscode.Uri.file(defaultExportPath(workspaceDir, runId, format)),
    ...(row.folder ? {} : { filters: { [row.label]: [ext] } }),
  });
  return uri?.fsPath;
}

function announce(result: ModelExportResult): void {
  const row = MODEL_EXPORT_FORMATS[result.format];
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(result.out)) !== undefined;
  void vscode.window
    .showInformationMessage(`SalUn: exported ${row.label} to ${result.out}. Load with ${row.loadWith}`, 'Reveal in Explorer', 'Copy Path')
    .then((choice) => {
      const uri = vscode.Uri.file(row.folder ? result.files[0] : result.out);
      if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
      if (choice === 'Copy Path') void vscode.env.clipboard.writeText(result.out);
    });
}

/**
 * `arg`: a Runs tree item, a run folder (Uri or path), `{ runId, format?, outFile? }`, or nothing
 * (pick a run). Resolves with what was written; undefined when nothing was. A scripted call's
 * problems are thrown; the user's are shown.
 */
async function exportModel(log: vscode.LogOutputChannel, arg: unknown): Promise<ModelExportResult | undefined> {
  const args = parseExportModelArgs(arg);
  const dir = await exportRunDir(COMMAND, arg, args?.runId);
  if (!dir) return undefined;
  const runId = dir.replace(/.*[\\/]/, '');
  const workspaceDir = workspaceOfRun(dir) ?? targetFolder()?.uri.fsPath ?? dir;
  try {
    const formats = runModelFormats(dir);
    for (const m of formats.missing) log.info(`export ${runId}: no ${m.format}: ${m.why}`);
    const format = args?.format ?? (await pickFormat(runId, formats));
    if (!format) return undefined;
    const out = args?.outFile !== undefined ? confinedOutFile(workspaceDir, args.outFile, ID) : await askWhere(runId, workspaceDir, format);
    if (!out) return undefined;
    const result = exportRunModel(dir, format, out);
    log.info(`Exported the ${format} model of ${runId}: ${result.files.join(', ')} (${result.bytes} bytes)`);
    announce(result);
    return result;
  } catch (e) {
    if (args) throw new Error(`${ID}: ${userText(e)}`);
    void vscode.window.showErrorMessage(`SalUn: ${userText(e)}`);
    return undefined;
  }
}
