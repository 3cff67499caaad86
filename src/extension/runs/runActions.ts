// What the Runs tree's context menu does with one run folder: open it in the panel, re-run it from
// its config.json, reveal it, delete it. Each command takes the tree item, or (scripts and tests)
// the run folder as a Uri or a path.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import { checkJobCanStart, startChecked, type CommandDeps } from '../jobs/commands';
import { COMMAND_IDS } from '../commandIds';
import { confinedRunDir } from './pathConfinement';
import { rerunCommand } from './rerunCommand';
import { RunItem, type RunsTreeProvider } from './runsTree';

export interface RunActionDeps extends CommandDeps {
  runsTree: RunsTreeProvider;
  /** Reveals the panel with this run folder's saliency map and the run selected for comparison. */
  showRunInPanel(runDir: string): Promise<void>;
}

function workspaceDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * The run folder an action was invoked on: a tree item, a Uri or a path. A Uri or a path comes
 * from a script or another extension: it must name a run folder of this workspace, or the command
 * throws (the caller's executeCommand rejects with why) and touches nothing.
 */
function runDirOf(arg: unknown, command: string): string | undefined {
  if (arg instanceof RunItem) return arg.run.dir;
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return confinedRunDir(workspaceDirs(), arg.fsPath, command);
  if (typeof arg === 'string' && arg.length > 0) return confinedRunDir(workspaceDirs(), arg, command);
  return undefined;
}

function noRun(action: string): undefined {
  void vscode.window.showInformationMessage(`SalUn: ${action} works on a run: use it from a run's context menu in the Runs view.`);
  return undefined;
}

export function registerRunActions(deps: RunActionDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.revealRun, (arg?: unknown) => {
      const dir = runDirOf(arg, COMMAND_IDS.revealRun);
      if (dir) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
    }),
    vscode.commands.registerCommand(COMMAND_IDS.openRunInPanel, (arg?: unknown) => openRunInPanel(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.rerunRun, (arg?: unknown) => rerunRun(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.deleteRun, (arg?: unknown, options?: unknown) => deleteRun(deps, arg, options)),
  ];
}

/** Resolves with the run id it opened. */
async function openRunInPanel(deps: RunActionDeps, arg: unknown): Promise<string | undefined> {
  const dir = runDirOf(arg, COMMAND_IDS.openRunInPanel);
  if (!dir) return noRun('Open in SalUn View');
  const runId = basename(dir);
  deps.log.info(`panel: open run ${runId} (${dir})`);
  await deps.showRunInPanel(dir);
  return runId;
}

async function rerunRun(deps: RunActionDeps, arg: unknown): Promise<JobOutcome | undefined> {
  const dir = runDirOf(arg, COMMAND_IDS.rerunRun);
  if (!dir) return noRun('Re-run');
  const folder = checkJobCanStart(deps, 'run');
  if (!folder) return undefined;
  const file = join(dir, 'config.json');
  let command: ReturnType<typeof rerunCommand>;
  try {
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (err) {
      throw new Error(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}. A run folder needs its config.json to be re-run.`);
    }
    // Paths in the config are relative to the run's own workspace, which owns .salun/runs/<id>.
    const runsDir = dirname(dir);
    const workspaceDir = basename(runsDir) === 'runs' && basename(dirname(runsDir)) === '.salun' ? dirname(dirname(runsDir)) : folder.uri.fsPath;
    command = rerunCommand(record, file, workspaceDir);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.log.error(`re-run: ${message}`);
    void vscode.window.showErrorMessage(`SalUn: ${message}`, 'Open config.json').then((choice) => {
      if (choice) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    });
    return undefined;
  }
  return startChecked(deps, command);
}

/**
 * Asks first (a modal), then moves the folder to the trash; where the file system has no trash
 * (some remotes), asks again before deleting for good. `{ confirm: false }` skips the questions.
 * Resolves true when the folder is gone.
 */
async function deleteRun(deps: RunActionDeps, arg: unknown, options: unknown): Promise<boolean> {
  const dir = runDirOf(arg, COMMAND_IDS.deleteRun);
  if (!dir) return noRun('Delete') ?? false;
  const ask = !(options !== null && typeof options === 'object' && 'confirm' in options && options.confirm === false);
  const runId = basename(dir);
  if (deps.supervisor.running && deps.supervisor.eventLog().some((e) => e.type === 'started' && e.runDir === dir)) {
    void vscode.window.showWarningMessage(`SalUn: run ${runId} is still running; cancel it before deleting its folder.`);
    return false;
  }
  if (ask) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the run ${runId}?`,
      { modal: true, detail: `${dir}\n\nIts folder (config, metrics, saliency map, model, report) is moved to the trash.` },
      'Move to Trash',
    );
    if (choice !== 'Move to Trash') return false;
  }
  const uri = vscode.Uri.file(dir);
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    deps.log.warn(`delete: moving ${dir} to the trash failed: ${why}`);
    if (ask) {
      const choice = await vscode.window.showWarningMessage(
        `The run ${runId} could not be moved to the trash (${why}). Delete it permanently?`,
        { modal: true },
        'Delete Permanently',
      );
      if (choice !== 'Delete Permanently') return false;
    }
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
    } catch (err2) {
      void vscode.window.showErrorMessage(`SalUn: could not delete ${dir}: ${err2 instanceof Error ? err2.message : String(err2)}. Check its permissions.`);
      return false;
    }
  }
  deps.log.info(`Deleted run ${runId} (${dir})`);
  deps.runsTree.refresh();
  return true;
}
