// The runs an export of the Runs view works on (finished or stopped, a folder with a model of its
// own: the runs whose context menu shows the export), and how such a command finds its run: a Runs
// tree item, a run folder (Uri or path, confined to the workspace's .salun/runs), a script's run id,
// or the user's pick. Export Unlearned Model and Export Audit Report share it, so the palette offers
// exactly the runs the context menu does.
import * as vscode from 'vscode';
import { listRuns, type RunSummary } from '../../store/runs/readRuns';
import { runHasModel } from '../../store/runs/modelExport';
import { UserError } from '../../store/errors';
import { COMMAND_IDS } from '../commandIds';
import { confinedRunDir } from './pathConfinement';
import { runForget, runPickEntry } from './reportFiles';
import { RunItem } from './runsTree';

/** What the shared steps say of the command: its id (in thrown errors), its title, the line when no run qualifies. */
export interface ExportCommand {
  id: string;
  /** "Export Unlearned Model": the pick's title and the no-folder message name it. */
  title: string;
  /** Shown (with a New Unlearning Run button) when no run has a model yet. */
  nothingYet: string;
}

export function workspaceDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Runs that ended with a model of their own, newest first. */
export function runsWithModel(): RunSummary[] {
  return workspaceDirs()
    .flatMap((ws) => listRuns(ws))
    .filter((r) => (r.state === 'finished' || r.state === 'stopped') && r.isFolder && runHasModel(r.dir))
    .sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

/** A store error as one line: what went wrong, then what to do. */
export function userText(e: unknown): string {
  if (e instanceof UserError) return `${e.message}. ${e.hint ?? ''}`.trim();
  return e instanceof Error ? e.message : String(e);
}

interface RunPick extends vscode.QuickPickItem {
  dir: string;
}

async function pickRun(command: ExportCommand): Promise<string | undefined> {
  const runs = runsWithModel();
  if (!runs.length) {
    void vscode.window.showInformationMessage(command.nothingYet, 'New Unlearning Run').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMAND_IDS.newRun);
    });
    return undefined;
  }
  const items = runs.map((r): RunPick => ({
    ...runPickEntry({ runId: r.runId, method: r.method ?? '?', state: r.state, rows: r.rows }, runForget(r.dir)),
    dir: r.dir,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `SalUn: ${command.title}`,
    placeHolder: 'Which run?',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.dir;
}

/**
 * The run folder `arg` names (a tree item, a folder Uri or path), the run `runId` names (a script's;
 * unknown ids are thrown), or the user's pick; undefined when there is none or the user escaped.
 */
export async function exportRunDir(command: ExportCommand, arg: unknown, runId: string | undefined): Promise<string | undefined> {
  if (runId !== undefined) {
    const dir = workspaceDirs()
      .flatMap((ws) => listRuns(ws))
      .find((r) => r.runId === runId)?.dir;
    if (!dir)
      throw new Error(
        `${command.id}: no run ${runId} in ${
          workspaceDirs()
            .map((d) => `${d}/.salun/runs`)
            .join(', ') || 'the workspace (no folder is open)'
        }.`,
      );
    return dir;
  }
  if (arg instanceof RunItem) return arg.run.dir;
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return confinedRunDir(workspaceDirs(), arg.fsPath, command.id);
  if (typeof arg === 'string' && arg.length > 0) return confinedRunDir(workspaceDirs(), arg, command.id);
  if (!workspaceDirs().length) {
    void vscode.window.showErrorMessage(`SalUn: ${command.title} reads the run folders of the workspace (.salun/runs): open a folder first.`);
    return undefined;
  }
  return pickRun(command);
}
