// Entry point of the extension host side: wires the job supervisor to the commands, the progress
// feedback and the side panel, and returns the SalunApi.
import * as vscode from 'vscode';
import type { SalunApi } from './api';
import type { PanelAction } from '../protocol/webviewMessages';
import { JobSupervisor } from './jobs/jobSupervisor';
import { JobFeedback } from './jobs/jobFeedback';
import { SalunPanelProvider } from './panel/panelProvider';
import { registerCommands, type CommandDeps } from './jobs/commands';
import { registerRunActions } from './runs/runActions';
import { registerWorkflowCommands } from './flows/workflowCommands';
import { registerReportCommands } from './runs/reportCommands';
import { COMMAND_IDS, JOB_RUNNING_CONTEXT, RUNS_VIEW_ID } from './commandIds';
import { RunsTreeProvider } from './runs/runsTree';
import { configuredNativeModulesDir, registerNativeBackendCommand } from './native/nativeBackendCommand';

let activeSupervisor: JobSupervisor | undefined;

const ACTION_COMMANDS: Record<PanelAction, string> = {
  computeSaliency: COMMAND_IDS.computeSaliency,
  runUnlearning: COMMAND_IDS.runUnlearning,
  cancelJob: COMMAND_IDS.cancelJob,
  showLog: COMMAND_IDS.showLog,
  openChartsInEditor: COMMAND_IDS.openChartsInEditor,
};

export function activate(context: vscode.ExtensionContext): SalunApi {
  const log = vscode.window.createOutputChannel('SalUn', { log: true });
  const supervisor = new JobSupervisor({
    jobScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'job.js').fsPath,
    log,
    nativeModulesDir: () => configuredNativeModulesDir(context),
  });
  activeSupervisor = supervisor;

  const setRunning = (running: boolean): void => {
    void vscode.commands.executeCommand('setContext', JOB_RUNNING_CONTEXT, running);
  };
  const runsTree = new RunsTreeProvider();
  const contextSub = supervisor.subscribe({
    onJobStarted: () => setRunning(true),
    onJobEnded: () => {
      setRunning(false);
      runsTree.refresh();
    },
  });
  setRunning(false);

  const panel = new SalunPanelProvider(
    context.extensionUri,
    supervisor,
    log,
    (action) => {
      log.info(`panel: ${action}`);
      // Job commands resolve when the job ends; the panel does not wait for that.
      void vscode.commands.executeCommand(ACTION_COMMANDS[action]).then(undefined, (err: unknown) => {
        log.error(`panel: ${action} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
    { messageLog: SalunPanelProvider.messageLogFor(context.extensionMode), memory: context.workspaceState },
  );

  const deps: CommandDeps = { supervisor, log, revealPanel: () => panel.reveal() };
  context.subscriptions.push(
    log,
    supervisor,
    new vscode.Disposable(() => contextSub.dispose()),
    new JobFeedback(supervisor, log),
    panel,
    ...panel.register(),
    runsTree,
    vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: runsTree }),
    vscode.commands.registerCommand(COMMAND_IDS.refreshRuns, () => runsTree.refresh()),
    ...registerCommands(deps),
    ...registerWorkflowCommands({ ...deps, memory: context.workspaceState }),
    ...registerRunActions({ ...deps, runsTree, showRunInPanel: (dir) => panel.showRun(dir) }),
    ...registerReportCommands(deps),
    registerNativeBackendCommand({ log, context }),
  );

  log.info('SalUn Lab activated.');
  return {
    waitForJob: () => supervisor.waitForJob(),
    panelMessages: () => panel.messages(),
    runsTree: () =>
      runsTree.getChildren().map((item) => ({
        runId: item.run.runId,
        dir: item.run.dir,
        state: item.run.state,
        description: String(item.description ?? ''),
        contextValue: item.contextValue ?? '',
      })),
  };
}

export function deactivate(): void {
  // A job must not outlive the window that started it.
  activeSupervisor?.dispose();
  activeSupervisor = undefined;
}
