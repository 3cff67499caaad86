// The "Runs" tree: every run folder of the workspace folders, newest first, with state and key
// metrics. Reading is the engine's (readRuns.ts, no vscode); this file only maps runs to tree items.
import * as vscode from 'vscode';
import { describeRun, listRuns, type RunSummary } from '../engine/runs/readRuns';

const STATE_ICONS: Record<string, string> = {
  finished: 'pass', stopped: 'stop-circle', failed: 'error', cancelled: 'circle-slash', running: 'sync~spin', unknown: 'question',
};

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunSummary) {
    super(run.runId, vscode.TreeItemCollapsibleState.None);
    this.description = describeRun(run);
    this.iconPath = new vscode.ThemeIcon(STATE_ICONS[run.state] ?? 'question');
    this.contextValue = `salun.run.${run.state}`;
    this.resourceUri = vscode.Uri.file(run.dir);
    const tip = new vscode.MarkdownString(`**${run.runId}** — ${run.state}\n\n`);
    for (const r of run.rows) {
      const m = r.metrics;
      tip.appendMarkdown(`- ${r.role}: UA ${m.UA.toFixed(2)}, RA ${m.RA.toFixed(2)}, TA ${m.TA.toFixed(2)}, MIA ${m.MIA.toFixed(2)}${r.avgGap !== undefined ? `, gap ${r.avgGap.toFixed(2)}` : ''}\n`);
    }
    if (run.error) tip.appendMarkdown(`\nError: ${run.error}\n`);
    for (const p of run.problems) tip.appendMarkdown(`\n⚠ ${p}\n`);
    this.tooltip = tip;
    const report = vscode.Uri.file(`${run.dir}/report.md`);
    this.command = (run.state === 'finished' || run.state === 'stopped') && run.kind !== 'saliency'
      ? { command: 'markdown.showPreview', title: 'Open Report', arguments: [report] }
      : { command: 'revealFileInOS', title: 'Reveal', arguments: [vscode.Uri.file(run.dir)] };
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/.salun/runs/*/status.json');

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
    return folders.flatMap((f) => listRuns(f.uri.fsPath)).map((r) => new RunItem(r));
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
