// The "Runs" tree: every run folder of the workspace folders, newest first, with state and key
// metrics. Reading is the engine's (readRuns.ts), what each entry shows is runsTreeModel.ts's (both
// without vscode); this file only maps entries to tree items.
import * as vscode from 'vscode';
import type { RunSummary } from '../../store/runs/readRuns';
import { runTreeEntries, type RunTreeEntry } from './runsTreeModel';

const RECHECK_MS = 15_000;

export class RunItem extends vscode.TreeItem {
  readonly run: RunSummary;

  constructor(entry: RunTreeEntry) {
    super(entry.run.runId, vscode.TreeItemCollapsibleState.None);
    const run = entry.run;
    this.run = run;
    this.description = entry.description;
    this.iconPath = new vscode.ThemeIcon(entry.icon);
    this.contextValue = entry.contextValue;
    this.resourceUri = vscode.Uri.file(run.dir);
    this.tooltip = new vscode.MarkdownString(entry.tooltip);
    this.command =
      entry.opens === 'report'
        ? { command: 'markdown.showPreview', title: 'Open Report', arguments: [vscode.Uri.file(`${run.dir}/report.md`)] }
        : { command: 'revealFileInOS', title: 'Reveal', arguments: [vscode.Uri.file(run.dir)] };
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/.salun/runs/*/status.json');
  private recheck: NodeJS.Timeout | undefined;

  constructor() {
    // status.json is rewritten (atomically) at every state change of a run.
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    const entries = runTreeEntries(folders.map((f) => f.uri.fsPath));
    this.recheckWhileRunning(entries);
    return entries.map((e) => new RunItem(e));
  }

  /**
   * A process killed with SIGKILL writes nothing, so no status.json event comes: while any run
   * shows as running, read again now and then, and the liveness check turns a dead one interrupted.
   */
  private recheckWhileRunning(entries: readonly RunTreeEntry[]): void {
    clearTimeout(this.recheck);
    if (entries.some((e) => e.run.state === 'running')) this.recheck = setTimeout(() => this.refresh(), RECHECK_MS).unref();
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.watcher.dispose();
    this.changed.dispose();
  }
}
