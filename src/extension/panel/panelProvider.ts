// The SalUn panel: the sidebar's WebviewView and, on "Open Charts in Editor", the same webview code
// in an editor-area WebviewPanel (revived after a reload by the serializer). One provider serves both:
// every webview it shows has its own channel and gets the same notifications. The host owns the
// truth (the supervisor's event log, the run folders, panelState.ts); a webview only renders it and
// asks. This class is the webviews' lifecycle: their HTML (CSP and nonce), their channels, and the
// replay that restores a webview that was hidden or reloaded (VS Code drops postMessage to a hidden
// webview: HostChannel.resync). What each message kind does is its handler's (panelHandlers.ts).
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { PostedPanelMessage } from '../api';
import type { JobSupervisor } from '../jobs/jobSupervisor';
import type { JobEvent } from '../../protocol/jobMessages';
import type { HostNotificationType } from '../../protocol/webviewMessages';
import {
  EventNotification,
  FocusRunNotification,
  JobStateNotification,
  ReplayNotification,
  RunSetupNotification,
  RunsNotification,
  RunTrendNotification,
  SaliencyScoresNotification,
  WEBVIEW_MESSAGES,
} from '../../protocol/webviewMessages';
import type { ParamsOf } from '../../protocol/ipc';
import { HostChannel } from './hostChannel';
import { CHARTS_PANEL_TYPE, COMMAND_IDS, PANEL_VIEW_ID } from '../commandIds';
import { createNonce, panelHtml } from './panelHtml';
import type { PanelActionHandler, PanelChannel, PanelContext } from './panelContext';
import { PANEL_HANDLERS } from './panelHandlers';
import { PanelHostState, SALIENCY_READ_ATTEMPTS } from './panelHostState';

export interface PanelOptions {
  /** Posted messages kept for SalunApi.panelMessages (test runs only; 0: none). */
  messageLog?: number;
  /** The workspace state, where New Unlearning Run remembers its answers (the Run button reruns them). */
  memory?: vscode.Memento;
}

/** One webview the provider serves: the sidebar view, or the editor-area panel. */
interface Connection {
  channel: PanelChannel;
  disposables: vscode.Disposable[];
}

/** How many posted messages a test run keeps: enough for any one test's window, not a whole session's. */
export const TEST_MESSAGE_LOG = 500;

export class SalunPanelProvider implements vscode.WebviewViewProvider, vscode.WebviewPanelSerializer, vscode.Disposable {
  static readonly viewId = PANEL_VIEW_ID;

  /**
   * The message log only serves the host test suite: kept (bounded) when VS Code runs the extension
   * under tests, or when SALUN_PANEL_MESSAGE_LOG names a size; otherwise the panel keeps nothing.
   */
  static messageLogFor(mode: vscode.ExtensionMode, env: NodeJS.ProcessEnv = process.env): number {
    const asked = Number(env.SALUN_PANEL_MESSAGE_LOG);
    if (env.SALUN_PANEL_MESSAGE_LOG !== undefined && Number.isSafeInteger(asked) && asked >= 0) return asked;
    return mode === vscode.ExtensionMode.Test ? TEST_MESSAGE_LOG : 0;
  }

  private view: vscode.WebviewView | undefined;
  /** The sidebar's channel: kept across re-resolves, so the test hook's log spans them. */
  private readonly channel: PanelChannel;
  private readonly sidebar: Connection;
  private editor: { panel: vscode.WebviewPanel; connection: Connection } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly memory: vscode.Memento | undefined;
  private readonly state: PanelHostState;
  /** Kept until delivered: the view may still be resolving, and its first replay carries it then. */
  private focusRunId: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly supervisor: JobSupervisor,
    private readonly log: vscode.LogOutputChannel,
    private readonly onAction: PanelActionHandler,
    options: PanelOptions = {},
  ) {
    this.memory = options.memory;
    this.state = new PanelHostState(supervisor, log, {
      notifyAll: (def, params) => this.notifyAll(def, params),
      replayAll: () => this.sendReplay(),
    });
    this.channel = new HostChannel(WEBVIEW_MESSAGES, log, { messageLog: options.messageLog ?? 0, name: 'panel' });
    this.sidebar = { channel: this.channel, disposables: [] };
    this.bindHandlers(this.channel);
    const sub = supervisor.subscribe({
      onJobStarted: () => {
        this.state.jobStarted();
        this.sendReplay();
      },
      onEvent: (event) => {
        this.sendEvent(event);
        if (event.type === 'started') this.sendRunSetup();
        if (event.type === 'saliency') this.state.loadJobSaliency(SALIENCY_READ_ATTEMPTS);
      },
      onJobEnded: () => {
        this.notifyAll(JobStateNotification, { running: false });
        if (!this.state.saliency) this.state.loadJobSaliency(1);
        this.state.refreshRuns();
      },
    });
    this.disposables.push(
      new vscode.Disposable(() => {
        sub.dispose();
        this.state.clearSaliency();
      }),
    );
  }

  /** The registrations that make the provider reachable: the sidebar view, the editor panel's serializer, its commands. */
  register(): vscode.Disposable[] {
    return [
      vscode.window.registerWebviewViewProvider(PANEL_VIEW_ID, this),
      vscode.window.registerWebviewPanelSerializer(CHARTS_PANEL_TYPE, this),
      vscode.commands.registerCommand(COMMAND_IDS.openChartsInEditor, () => this.openInEditor()),
    ];
  }

  /** What VS Code accepted for the webview since activation (kept only when options.messageLog is set). */
  messages(): readonly PostedPanelMessage[] {
    return this.channel.messages();
  }

  get isResolved(): boolean {
    return this.view !== undefined;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.disposeConnection(this.sidebar);
    this.view = webviewView;
    const webview = webviewView.webview;
    this.attach(this.sidebar, webview, 'sidebar', () => webviewView.visible);
    this.sidebar.disposables.push(
      webviewView.onDidChangeVisibility(() => this.resyncIfStale(this.sidebar)),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) {
          this.view = undefined;
          this.channel.disconnect(webview);
          this.disposeConnection(this.sidebar);
        }
      }),
    );
  }

  /**
   * "Open Charts in Editor": the same panel in an editor tab, full width; the sidebar keeps its
   * compact view. A second call brings the open tab forward.
   */
  openInEditor(): void {
    if (this.editor) {
      this.editor.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(CHARTS_PANEL_TYPE, 'SalUn Charts', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: this.resourceRoots(),
    });
    this.adoptEditorPanel(panel);
  }

  /** registerWebviewPanelSerializer's half: an editor panel left open before a reload comes back. */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Promise<void> {
    this.editor?.panel.dispose();
    this.adoptEditorPanel(panel);
    return Promise.resolve();
  }

  private adoptEditorPanel(panel: vscode.WebviewPanel): void {
    const connection: Connection = { channel: new HostChannel(WEBVIEW_MESSAGES, this.log, { name: 'charts' }), disposables: [] };
    this.bindHandlers(connection.channel);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'salun.svg');
    this.editor = { panel, connection };
    // A disposed panel throws on every property read (webview, visible): its handler uses what it kept.
    const webview = panel.webview;
    let disposed = false;
    this.attach(connection, webview, 'editor', () => !disposed && panel.visible);
    connection.disposables.push(
      panel.onDidChangeViewState(() => this.resyncIfStale(connection)),
      panel.onDidDispose(() => {
        disposed = true;
        if (this.editor?.panel === panel) this.editor = undefined;
        connection.channel.disconnect(webview);
        this.disposeConnection(connection);
      }),
    );
  }

  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
  }

  /** Loads the panel's page into `webview` and wires it to the connection's channel. */
  private attach(connection: Connection, webview: vscode.Webview, placement: 'sidebar' | 'editor', visible: () => boolean): void {
    connection.channel.connect(webview, visible);
    webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    webview.html = panelHtml(
      {
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css')),
        cspSource: webview.cspSource,
        placement,
      },
      createNonce(),
    );
    connection.disposables.push(webview.onDidReceiveMessage((message: unknown) => connection.channel.receive(message)));
  }

  private resyncIfStale(connection: Connection): void {
    if (connection.channel.deliverable && connection.channel.needsResync) this.sendReplayTo(connection.channel);
  }

  private connections(): Connection[] {
    return this.editor ? [this.sidebar, this.editor.connection] : [this.sidebar];
  }

  /**
   * Open in Panel: the run's metric trend in the trend charts, its saliency map in the γ control,
   * the run selected in the comparison.
   */
  async showRun(runDir: string): Promise<void> {
    await this.reveal();
    this.state.refreshRuns();
    if (existsSync(join(runDir, 'saliency', 'summary.json'))) {
      this.state.clearSaliency();
      this.state.loadSaliency(runDir, true);
    }
    this.state.showRunTrend(runDir);
    this.focusRunId = basename(runDir);
    this.sendFocusRun();
  }

  /** Brings the panel into view (resolving it if it never was). */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(true);
      return;
    }
    await vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`);
  }

  dispose(): void {
    this.editor?.panel.dispose();
    this.disposeConnection(this.sidebar);
    for (const d of this.disposables) d.dispose();
  }

  /** Every kind a webview may send gets its handler (panelHandlers.ts), with this channel as its context's. */
  private bindHandlers(channel: PanelChannel): void {
    const context: PanelContext = {
      channel,
      state: this.state,
      log: this.log,
      memory: this.memory,
      replay: () => this.sendReplayTo(channel),
      openInEditor: () => this.openInEditor(),
      onAction: this.onAction,
    };
    channel.handleAll(PANEL_HANDLERS, context);
  }

  private sendRunSetup(): void {
    const setup = this.state.runSetup();
    if (setup) this.notifyAll(RunSetupNotification, setup);
  }

  /** One connection that fails (a webview going away) neither stops the others nor the caller. */
  private notifyAll<D extends HostNotificationType>(def: D, params: ParamsOf<D>, onDelivered?: () => void): void {
    for (const c of this.connections()) {
      try {
        c.channel.notify(def, params, onDelivered);
      } catch (err) {
        this.log.warn(
          `panel: could not send '${def.method}' to the ${c === this.sidebar ? 'sidebar' : 'editor'} view: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  private sendReplay(): void {
    for (const c of this.connections()) this.sendReplayTo(c.channel);
  }

  private sendReplayTo(ch: PanelChannel): void {
    ch.resync(() => {
      ch.notify(ReplayNotification, { events: [...this.supervisor.eventLog()], jobRunning: this.supervisor.running });
      const setup = this.state.runSetup();
      if (setup) ch.notify(RunSetupNotification, setup);
      // A replay resets the panel's state; what it was sent besides the events comes after it.
      const { saliency, runs, runTrend } = this.state;
      if (saliency) ch.notify(SaliencyScoresNotification, saliency.scoresMessage());
      if (runs) ch.notify(RunsNotification, { runs });
      // A replay shows the live job's trend; a past run's trend comes after it to stay in view.
      if (runTrend) ch.notify(RunTrendNotification, runTrend);
      if (this.focusRunId) this.sendFocusRun(ch);
    });
  }

  /** Kept until delivered: the view may still be resolving, and its first replay carries it then. */
  private sendFocusRun(only?: PanelChannel): void {
    const runId = this.focusRunId;
    if (!runId) return;
    for (const c of this.connections()) {
      if (only && c.channel !== only) continue;
      c.channel.notify(FocusRunNotification, { runId }, () => {
        if (this.focusRunId === runId) this.focusRunId = undefined;
      });
    }
  }

  private sendEvent(event: JobEvent): void {
    for (const { channel } of this.connections()) {
      // Something was missed; a replay carries this event too and restores the order.
      if (channel.needsResync) this.sendReplayTo(channel);
      else channel.notify(EventNotification, { event });
    }
  }

  private disposeConnection(connection: Connection): void {
    for (const d of connection.disposables) d.dispose();
    connection.disposables = [];
  }
}
