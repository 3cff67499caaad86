// SalUn: Run This Config — a `*.salun.json` (or any run config) from the editor title or the
// explorer, started through the job supervisor as `salun run <file>` would run it: the same parser
// (missing fields take the defaults; a run folder's config.json re-runs that run; "task":
// "generation" makes it a generation job), paths relative to the workspace folder that holds the file.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import { configFileStart } from '../../protocol/configKinds';
import { jobErrorText, toJobError } from '../../protocol/jobError';
import type { StartCommand } from '../jobs/jobSupervisor';
import { launchJob, type CommandDeps } from '../jobs/commands';

/** The file the command was given (explorer, editor title), or the active editor's. */
function configUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  return vscode.window.activeTextEditor?.document.uri;
}

/** The start command for a config file's text; throws an error naming the file and each bad setting. */
export function configFileCommand(text: string, file: string, workspaceDir: string): StartCommand {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return configFileStart(value, file, workspaceDir);
}

export async function runConfigFile(deps: CommandDeps, arg?: unknown): Promise<JobOutcome | undefined> {
  const uri = configUri(arg);
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('SalUn: Run This Config needs a config file on disk (a *.salun.json): open one, or right-click it in the explorer.');
    return undefined;
  }
  // Unsaved edits are what the user sees, so they are what runs: save first.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  return launchJob(deps, 'run', (defaultDir) => {
    const workspaceDir = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? defaultDir;
    try {
      return configFileCommand(readFileSync(uri.fsPath, 'utf8'), uri.fsPath, workspaceDir);
    } catch (e) {
      const text = jobErrorText(toJobError(e));
      deps.log.error(`run config: ${text}`);
      void vscode.window.showErrorMessage(`SalUn: ${text}`, 'Open File').then((choice) => {
        if (choice) void vscode.commands.executeCommand('vscode.open', uri);
      });
      return undefined;
    }
  });
}
