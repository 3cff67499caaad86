// Command handlers. Job commands resolve with the job's outcome (or undefined when nothing was
// started), so tests and other extensions can `await executeCommand(...)`. Notifications are never
// awaited here: a command settles with its job, not with the user's click.
import * as vscode from 'vscode';
import type { JobOutcome } from './api';
import type { JobSupervisor, StartCommand } from './jobSupervisor';
import { JobAlreadyRunningError } from './jobSupervisor';
import type { JobKind } from '../protocol/jobMessages';
import type { SalunSettings } from './jobConfigs';
import { SETTING_KEYS, SettingsError, runConfigFromSettings, saliencyConfigFromSettings } from './jobConfigs';
import { COMMAND_IDS, CONFIG_SECTION } from './commandIds';

export interface CommandDeps {
  supervisor: JobSupervisor;
  log: vscode.LogOutputChannel;
  revealPanel(): Promise<void>;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.computeSaliency, () => startJob(deps, 'saliency')),
    vscode.commands.registerCommand(COMMAND_IDS.runUnlearning, () => startJob(deps, 'run')),
    vscode.commands.registerCommand(COMMAND_IDS.cancelJob, () => cancelJob(deps)),
    vscode.commands.registerCommand(COMMAND_IDS.openPanel, () => deps.revealPanel()),
    vscode.commands.registerCommand(COMMAND_IDS.showLog, () => deps.log.show()),
  ];
}

function cancelJob(deps: CommandDeps): boolean {
  const cancelling = deps.supervisor.cancel();
  if (!cancelling) void vscode.window.showInformationMessage('No SalUn job is running.');
  return cancelling;
}

/** The folder runs are written to: the active editor's folder, else the first one. */
function targetFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  return fromEditor ?? vscode.workspace.workspaceFolders?.[0];
}

function readSettings(folder: vscode.WorkspaceFolder): SalunSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, folder.uri);
  const settings: SalunSettings = {};
  for (const key of SETTING_KEYS) settings[key] = config.get<unknown>(key);
  return settings;
}

async function startJob(deps: CommandDeps, kind: JobKind): Promise<JobOutcome | undefined> {
  const { supervisor, log } = deps;
  const what = kind === 'run' ? 'an unlearning run' : 'a saliency job';

  if (supervisor.running) {
    refuseSecondJob(deps);
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(`SalUn runs jobs only in a trusted workspace: they read models and data from it and write run folders into it.`, 'Manage Workspace Trust')
      .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return undefined;
  }
  const folder = targetFolder();
  if (!folder) {
    void vscode.window.showErrorMessage(`SalUn needs an open folder to start ${what}: runs are written to <folder>/.salun/runs. Open a folder and try again.`, 'Open Folder')
      .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.files.openFolder'); });
    return undefined;
  }
  if (folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`SalUn cannot run jobs in a '${folder.uri.scheme}' folder: it needs a folder on disk.`);
    return undefined;
  }

  const workspaceDir = folder.uri.fsPath;
  let command: StartCommand;
  try {
    const settings = readSettings(folder);
    command = kind === 'run'
      ? { type: 'start', kind: 'run', config: runConfigFromSettings(settings, workspaceDir), workspaceDir }
      : { type: 'start', kind: 'saliency', config: saliencyConfigFromSettings(settings, workspaceDir), workspaceDir };
  } catch (err) {
    if (err instanceof SettingsError) {
      void vscode.window.showErrorMessage(`SalUn: ${err.message}`, 'Open Settings')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', err.setting); });
      return undefined;
    }
    throw err;
  }

  log.info(`Starting ${what} in ${workspaceDir}: ${JSON.stringify(command.config)}`);
  try {
    return await supervisor.start(command);
  } catch (err) {
    // Two starts in the same tick: the check above passed for both.
    if (err instanceof JobAlreadyRunningError) {
      refuseSecondJob(deps);
      return undefined;
    }
    throw err;
  }
}

function refuseSecondJob(deps: CommandDeps): void {
  const running = deps.supervisor.runningKind === 'run' ? 'An unlearning run' : 'A saliency job';
  void vscode.window.showWarningMessage(`${running} is already running; SalUn runs one job at a time. Cancel it first, or wait for it to finish.`, 'Show Job', 'Cancel Job')
    .then((choice) => {
      if (choice === 'Show Job') {
        void deps.revealPanel();
        deps.log.show(true);
      }
      if (choice === 'Cancel Job') void vscode.commands.executeCommand(COMMAND_IDS.cancelJob);
    });
}
