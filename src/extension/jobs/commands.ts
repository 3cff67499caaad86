// Command handlers. Job commands resolve with the job's outcome (or undefined when nothing was
// started), so tests and other extensions can `await executeCommand(...)`. Notifications are never
// awaited here: a command settles with its job, not with the user's click.
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import type { JobSupervisor, StartCommand } from './jobSupervisor';
import { canStopAndKeep, JobAlreadyRunningError } from './jobSupervisor';
import { JOB_KIND_LABELS, type JobKind } from '../../protocol/jobMessages';
import type { SalunSettings } from './jobConfigs';
import { SETTING_KEYS, SettingsError, runConfigFromSettings, saliencyConfigFromSettings } from './jobConfigs';
import { COMMAND_IDS, CONFIG_SECTION } from '../commandIds';
import { stopAndKeepMessage } from './stopAndKeepMessage';

export interface CommandDeps {
  supervisor: JobSupervisor;
  log: vscode.LogOutputChannel;
  revealPanel(): Promise<void>;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.computeSaliency, (uri?: unknown) => startJob(deps, 'saliency', asModelUri(uri))),
    vscode.commands.registerCommand(COMMAND_IDS.runUnlearning, () => startJob(deps, 'run')),
    vscode.commands.registerCommand(COMMAND_IDS.cancelJob, () => cancelJob(deps)),
    vscode.commands.registerCommand(COMMAND_IDS.stopAndKeep, () => stopAndKeep(deps)),
    vscode.commands.registerCommand(COMMAND_IDS.openPanel, () => deps.revealPanel()),
    vscode.commands.registerCommand(COMMAND_IDS.showLog, () => deps.log.show()),
  ];
}

/** A model.json Uri from the explorer's context menu; anything else (a palette call) is no model. */
export function asModelUri(x: unknown): vscode.Uri | undefined {
  return x instanceof vscode.Uri && x.scheme === 'file' ? x : undefined;
}

function stopAndKeep(deps: CommandDeps): boolean {
  const { supervisor } = deps;
  const kind = supervisor.runningKind;
  if (!kind) {
    void vscode.window.showInformationMessage('No SalUn job is running.');
    return false;
  }
  if (!canStopAndKeep(kind)) {
    // An unlearning run keeps the model of its epochs, a table the rows of its models; the others have nothing partial.
    void vscode.window
      .showInformationMessage(`A ${JOB_KIND_LABELS[kind]} has no steps to stop between, so there is nothing partial to keep. Cancel it instead?`, 'Cancel Job')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand(COMMAND_IDS.cancelJob);
      });
    return false;
  }
  const stopping = supervisor.stop();
  const message = stopping ? stopAndKeepMessage(kind, supervisor.eventLog()) : undefined;
  if (message) void vscode.window.showInformationMessage(message);
  return stopping;
}

function cancelJob(deps: CommandDeps): boolean {
  const cancelling = deps.supervisor.cancel();
  if (!cancelling) void vscode.window.showInformationMessage('No SalUn job is running.');
  return cancelling;
}

/** The folder runs are written to: the active editor's folder, else the first one. */
export function targetFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  return fromEditor ?? vscode.workspace.workspaceFolders?.[0];
}

export function readSettings(folder: vscode.WorkspaceFolder): SalunSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, folder.uri);
  const settings: SalunSettings = {};
  for (const key of SETTING_KEYS) settings[key] = config.get<unknown>(key);
  return settings;
}

async function startJob(deps: CommandDeps, kind: 'run' | 'saliency', modelUri?: vscode.Uri): Promise<JobOutcome | undefined> {
  return launchJob(deps, kind, (workspaceDir, folder) => {
    const settings = readSettings(folder);
    // From the explorer's context menu: the clicked model.json instead of salun.modelPath.
    if (modelUri) settings.modelPath = modelUri.fsPath;
    return kind === 'run'
      ? { type: 'start', kind: 'run', config: runConfigFromSettings(settings, workspaceDir), workspaceDir }
      : { type: 'start', kind: 'saliency', config: saliencyConfigFromSettings(settings, workspaceDir), workspaceDir };
  });
}

/**
 * The checks every job start makes (one job at a time, a trusted workspace, a folder on disk), then
 * `build` makes the command for the chosen folder (undefined: the user cancelled) and the job starts.
 * Resolves with the outcome, or undefined when nothing was started.
 */
export async function launchJob(
  deps: CommandDeps,
  kind: JobKind,
  build: (workspaceDir: string, folder: vscode.WorkspaceFolder) => StartCommand | undefined | Promise<StartCommand | undefined>,
): Promise<JobOutcome | undefined> {
  const folder = checkJobCanStart(deps, kind);
  if (!folder) return undefined;
  const workspaceDir = folder.uri.fsPath;
  let command: StartCommand | undefined;
  try {
    command = await build(workspaceDir, folder);
  } catch (err) {
    if (err instanceof SettingsError) {
      void vscode.window.showErrorMessage(`SalUn: ${err.message}`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', err.setting);
      });
      return undefined;
    }
    throw err;
  }
  if (!command) return undefined;
  return startChecked(deps, command);
}

/** The workspace folder a job may start in, or undefined after telling the user why not. */
export function checkJobCanStart(deps: CommandDeps, kind: JobKind): vscode.WorkspaceFolder | undefined {
  const what = `a ${JOB_KIND_LABELS[kind]}`;
  if (deps.supervisor.running) {
    refuseSecondJob(deps);
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    // Not an error: Restricted Mode is the user's choice. Say what to do (the commands are hidden there; a link or a script can still reach them).
    void vscode.window
      .showInformationMessage(
        `This workspace is in Restricted Mode. SalUn starts ${what} only in a trusted workspace, because jobs read models and data from it and write run folders into it: trust it with Manage Workspace Trust, then try again.`,
        'Manage Workspace Trust',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return undefined;
  }
  const folder = targetFolder();
  if (!folder) {
    void vscode.window
      .showErrorMessage(`SalUn needs an open folder to start ${what}: runs are written to <folder>/.salun/runs. Open a folder and try again.`, 'Open Folder')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.files.openFolder');
      });
    return undefined;
  }
  if (folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`SalUn cannot run jobs in a '${folder.uri.scheme}' folder: it needs a folder on disk.`);
    return undefined;
  }
  return folder;
}

/** Starts a command whose folder passed checkJobCanStart; a race with another start is refused. */
export async function startChecked(deps: CommandDeps, command: StartCommand): Promise<JobOutcome | undefined> {
  if (deps.supervisor.running) {
    // A guided flow may have been open while another job started.
    refuseSecondJob(deps);
    return undefined;
  }
  deps.log.info(`Starting a ${JOB_KIND_LABELS[command.kind]} in ${command.workspaceDir}: ${JSON.stringify(command.config)}`);
  try {
    return await deps.supervisor.start(command);
  } catch (err) {
    // Two starts in the same tick: the check above passed for both.
    if (err instanceof JobAlreadyRunningError) {
      refuseSecondJob(deps);
      return undefined;
    }
    throw err;
  }
}

export function refuseSecondJob(deps: CommandDeps): void {
  const kind = deps.supervisor.runningKind;
  const running = kind ? `A ${JOB_KIND_LABELS[kind]}` : 'A job';
  void vscode.window
    .showWarningMessage(`${running} is already running; SalUn runs one job at a time. Cancel it first, or wait for it to finish.`, 'Show Job', 'Cancel Job')
    .then((choice) => {
      if (choice === 'Show Job') {
        void deps.revealPanel();
        deps.log.show(true);
      }
      if (choice === 'Cancel Job') void vscode.commands.executeCommand(COMMAND_IDS.cancelJob);
    });
}
