// The SalUn panel: the sidebar's WebviewView and, on "Open Charts in Editor", the same webview code
// in an editor-area WebviewPanel (revived after a reload by the serializer). One provider serves both:
// every webview it shows has its own channel and gets the same notifications. The host owns the
// truth (the supervisor's event log, the run folders); a webview only renders it and asks. Each
// message kind a webview may send has one handler here (registerHandlers), bound to its definition in
// protocol/webviewMessages.ts. Because VS Code drops postMessage to a hidden webview, a webview is
// re-sent a full replay whenever it may have missed something (HostChannel.resync).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { JobSupervisor } from '../jobs/jobSupervisor';
import type { JobEvent } from '../../protocol/jobMessages';
import type {
  ComparisonRun,
  ExportFormat,
  ExportSampleGridReply,
  HostNotificationType,
  NextRunReply,
  PanelAction,
  RunConfigReply,
  RunSetupParams,
  WebviewMessageType,
} from '../../protocol/webviewMessages';
import {
  ApplySaliencyRatioCommand,
  EventNotification,
  ExportCommand,
  ExportSampleGridRequest,
  FocusRunNotification,
  GetRunConfigRequest,
  JobStateNotification,
  LoadRunSaliencyCommand,
  NextRunRequest,
  PanelActionCommand,
  PreviewThresholdRequest,
  ReadyCommand,
  RefreshRunsCommand,
  ReplayNotification,
  RunSetupNotification,
  RunsNotification,
  RunTrendNotification,
  SaliencyScoresNotification,
  SampleImageRequest,
  ShowLiveTrendCommand,
  WEBVIEW_MESSAGES,
} from '../../protocol/webviewMessages';
import { isRecord } from '../../protocol/guards';
import type { ParamsOf } from '../../protocol/ipc';
import { HostChannel } from './hostChannel';
import { CHARTS_PANEL_TYPE, COMMAND_IDS, CONFIG_SECTION, PANEL_VIEW_ID } from '../commandIds';
import { createNonce, panelHtml } from './panelHtml';
import { loadSaliencyScores, type SaliencyPreview } from './saliencyPreview';
import { comparisonRuns, isListedRun, runSetting } from '../runs/comparisonRuns';
import { panelRunPlan } from './panelRun';
import { NEW_RUN_MEMORY_KEY } from '../flows/newRunFlow';
import { runTrendMessage, type RunTrendMessage } from './runTrendMessage';
import { exportSampleImage, readSampleImage, sampleImageReply } from './sampleImages';

/** The job emits its saliency event just before writing saliency/; retry the read this long. */
const SALIENCY_READ_RETRY_MS = 250;
const SALIENCY_READ_ATTEMPTS = 40;

const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  csv: { CSV: ['csv'] },
  md: { Markdown: ['md'] },
  svg: { 'SVG image': ['svg'] },
  png: { 'PNG image': ['png'] },
};

export type PanelActionHandler = (action: PanelAction) => void;

export interface PanelOptions {
  /** Posted messages kept for SalunApi.panelMessages (test runs only; 0: none). */
  messageLog?: number;
  /** The workspace state, where New Unlearning Run remembers its answers (the Run button reruns them). */
  memory?: vscode.Memento;
}

type PanelChannel = HostChannel<WebviewMessageType, HostNotificationType>;

/** One webview the provider serves: the sidebar view, or the editor-area panel. */
interface Connection {
  channel: PanelChannel;
  disposables: vscode.Disposable[];
}

/** A message the panel was handed, as SalunApi.panelMessages lists it. */
export type PostedPanelMessage = ReturnType<HostChannel<WebviewMessageType, HostNotificationType>['messages']>[number];

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
  /** The saliency map the γ control previews: the latest job's, or a run folder the user picked. */
  private saliency: SaliencyPreview | undefined;
  private saliencyRetry: ReturnType<typeof setTimeout> | undefined;
  private runs: ComparisonRun[] | undefined;
  /** The past run whose trend the panel shows instead of the live job's (Open in Panel). */
  private runTrend: RunTrendMessage | undefined;
  /**
   * Whether the trend's source was chosen since activation (Open in Panel, a job start, the panel's
   * "Show live trends"). Until then a reloaded panel's own choice (its 'ready') is honoured.
   */
  private trendChosen = false;
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
    this.channel = new HostChannel(WEBVIEW_MESSAGES, log, { messageLog: options.messageLog ?? 0, name: 'panel' });
    this.sidebar = { channel: this.channel, disposables: [] };
    this.registerHandlers(this.channel);
    const sub = supervisor.subscribe({
      onJobStarted: () => {
        this.clearSaliency();
        // A new job's trend is what the user wants to watch; the replay switches the panel to it.
        this.runTrend = undefined;
        this.trendChosen = true;
        this.sendReplay();
      },
      onEvent: (event) => {
        this.sendEvent(event);
        if (event.type === 'started') this.sendRunSetup();
        if (event.type === 'saliency') this.loadJobSaliency(SALIENCY_READ_ATTEMPTS);
      },
      onJobEnded: () => {
        this.notifyAll(JobStateNotification, { running: false });
        if (!this.saliency) this.loadJobSaliency(1);
        this.refreshRuns();
      },
    });
    this.disposables.push(
      new vscode.Disposable(() => {
        sub.dispose();
        this.clearSaliency();
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
    this.registerHandlers(connection.channel);
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
    this.refreshRuns();
    if (existsSync(join(runDir, 'saliency', 'summary.json'))) {
      this.clearSaliency();
      this.tryLoadSaliency(runDir, true);
    }
    this.showRunTrend(runDir);
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

  /** One handler per kind a webview may send; the channel has validated the message already. */
  private registerHandlers(ch: PanelChannel): void {
    ch.onCommand(ReadyCommand, (m) => {
      ch.markReady();
      if (!this.saliency) this.loadJobSaliency(1);
      if (!this.runs) this.runs = this.readRuns();
      if (m.trendRunDir) this.restoreRunTrend(m.trendRunDir);
      this.sendReplayTo(ch);
    });
    ch.onCommand(PanelActionCommand, (m) => this.panelAction(m.action));
    ch.onRequest(NextRunRequest, () => this.nextRun());
    ch.onCommand(ShowLiveTrendCommand, () => {
      // The panel has switched already; later replays must not bring the past run back.
      this.runTrend = undefined;
      this.trendChosen = true;
    });
    ch.onCommand(ApplySaliencyRatioCommand, (m) => this.applySaliencyRatio(m.ratio));
    ch.onCommand(RefreshRunsCommand, () => this.refreshRuns());
    ch.onCommand(LoadRunSaliencyCommand, (m) => {
      // The webview names a folder; read only folders that are listed run folders of this workspace.
      if (!isListedRun(this.workspaceDirs(), m.runDir)) {
        this.log.warn(`panel: refused to read saliency from ${m.runDir}: not a run folder of this workspace`);
        return;
      }
      this.clearSaliency();
      this.tryLoadSaliency(m.runDir, true);
    });
    ch.onCommand(ExportCommand, (m) => this.exportFile(m.format, m.fileName, m.content));
    ch.onRequest(PreviewThresholdRequest, (m) => {
      if (!this.saliency) throw new Error('No saliency map has been read yet.');
      return this.saliency.preview(m.by, m.value);
    });
    ch.onRequest(GetRunConfigRequest, (m) => this.runConfig(m.runDir));
    ch.onRequest(SampleImageRequest, (m) => sampleImageReply(readSampleImage(this.sampleRunDirs(m.file), m.file), m.file));
    ch.onRequest(ExportSampleGridRequest, (m) => this.exportSampleGrid(m.file, m.fileName));
  }

  /**
   * The run folders whose samples/ a webview may read: the current (or last) job's, wherever it
   * writes, and the folder `file` lies in when that is a listed run folder of this workspace.
   */
  private sampleRunDirs(file: string): string[] {
    const dirs = this.supervisor.eventLog().flatMap((e) => (e.type === 'started' ? [e.runDir] : []));
    const runDir = dirname(dirname(resolve(file)));
    if (isListedRun(this.workspaceDirs(), runDir)) dirs.push(runDir);
    return dirs;
  }

  /** "Export PNG" on a sample grid: the run folder's own bytes, checked again, copied where the user says. */
  private async exportSampleGrid(file: string, fileName: string): Promise<ExportSampleGridReply> {
    const runDirs = this.sampleRunDirs(file);
    // Refuse before asking where to save: a dialog for a file that cannot be copied wastes the user's time.
    readSampleImage(runDirs, file);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${fileName}`,
      saveLabel: 'Export',
      filters: EXPORT_FILTERS.png,
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
    });
    if (!uri) return { saved: false };
    let bytes: number;
    if (uri.scheme === 'file') {
      bytes = exportSampleImage(runDirs, file, uri.fsPath);
    } else {
      // A remote or virtual file system: no local rename to make the write atomic; its provider's write is what there is.
      const image = readSampleImage(runDirs, file);
      await vscode.workspace.fs.writeFile(uri, image.bytes);
      bytes = image.bytes.length;
    }
    this.log.info(`panel: exported the sample grid ${file} to ${uri.fsPath} (${bytes} bytes)`);
    return { saved: true, path: uri.fsPath };
  }

  /** The Run button reruns the last New Unlearning Run, or opens the flow; it never starts a settings-default run. */
  private panelAction(action: PanelAction): void {
    if (action === 'openChartsInEditor') {
      this.openInEditor();
      return;
    }
    if (action !== 'runUnlearning') {
      this.onAction(action);
      return;
    }
    const plan = this.runPlan();
    this.log.info(
      plan.kind === 'rerun'
        ? `panel: Run Unlearning reruns the last New Unlearning Run: ${plan.summary}`
        : 'panel: Run Unlearning: no run set up yet; opening New Unlearning Run',
    );
    const started =
      plan.kind === 'rerun'
        ? vscode.commands.executeCommand(COMMAND_IDS.newRun, { answers: plan.answers })
        : vscode.commands.executeCommand(COMMAND_IDS.newRun);
    started.then(undefined, (err: unknown) => this.log.error(`panel: Run Unlearning failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  private runPlan(): ReturnType<typeof panelRunPlan> {
    const ratio = vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('saliencyRatio');
    return panelRunPlan(this.memory?.get<unknown>(NEW_RUN_MEMORY_KEY), typeof ratio === 'number' ? { ratio } : {});
  }

  private nextRun(): NextRunReply {
    const plan = this.runPlan();
    return plan.kind === 'rerun' ? { configured: true, summary: plan.summary } : { configured: false };
  }

  /** The live job's model, data and forget set, from the config.json it wrote before 'started'. */
  private runSetup(): RunSetupParams | undefined {
    const started = this.supervisor.eventLog().find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
    if (!started) return undefined;
    const config: unknown = (() => {
      try {
        return JSON.parse(readFileSync(join(started.runDir, 'config.json'), 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    })();
    const method = isRecord(config) && typeof config.method === 'string' ? config.method : undefined;
    return { runId: started.runId, ...(method ? { method } : {}), setting: runSetting(started.runDir) };
  }

  private sendRunSetup(): void {
    const setup = this.runSetup();
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

  private workspaceDirs(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  private readRuns(): ComparisonRun[] {
    try {
      return comparisonRuns(this.workspaceDirs());
    } catch (err) {
      this.log.warn(`panel: could not list run folders: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  private refreshRuns(): void {
    this.runs = this.readRuns();
    this.notifyAll(RunsNotification, { runs: this.runs });
  }

  private runConfig(runDir: string): RunConfigReply {
    if (!isListedRun(this.workspaceDirs(), runDir)) throw new Error(`${runDir} is not a run folder of this workspace`);
    const config: unknown = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    if (!isRecord(config)) throw new Error(`${join(runDir, 'config.json')} is not a JSON object`);
    return { runId: basename(runDir), config };
  }

  /** Reads a run folder's metrics.jsonl into the trend charts; the running job's own folder shows live. */
  private showRunTrend(runDir: string): void {
    this.trendChosen = true;
    const live = this.supervisor.running && this.supervisor.eventLog().some((e) => e.type === 'started' && e.runDir === runDir);
    if (live) {
      const wasPast = this.runTrend !== undefined;
      this.runTrend = undefined;
      // A replay is what switches the panel back to the live job.
      if (wasPast) this.sendReplay();
      return;
    }
    this.runTrend = this.readRunTrend(runDir);
    this.notifyAll(RunTrendNotification, this.runTrend);
  }

  /** A reloaded panel showed this run's trend; keep showing it unless the host chose since. */
  private restoreRunTrend(runDir: string): void {
    if (this.trendChosen || this.supervisor.running) return;
    if (!isListedRun(this.workspaceDirs(), runDir)) {
      this.log.debug(`panel: not restoring the trend of ${runDir}: not a run folder of this workspace`);
      return;
    }
    this.runTrend = this.readRunTrend(runDir);
  }

  private readRunTrend(runDir: string): RunTrendMessage {
    const t0 = Date.now();
    const { message, problems } = runTrendMessage(runDir);
    for (const p of problems) this.log.warn(`panel: ${p}`);
    this.log.debug(`panel: read the trend of ${message.runId} (${message.points.length} epochs) in ${Date.now() - t0} ms`);
    return message;
  }

  private clearSaliency(): void {
    this.saliency = undefined;
    if (this.saliencyRetry) clearTimeout(this.saliencyRetry);
    this.saliencyRetry = undefined;
  }

  /** Reads the saliency map of the current (or last) job's run folder, if its log has one. */
  private loadJobSaliency(attempts: number): void {
    const events = this.supervisor.eventLog();
    const started = events.find((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
    if (!started || !events.some((e) => e.type === 'saliency')) return;
    if (this.saliency?.runDir === started.runDir) return;
    if (this.saliencyRetry) clearTimeout(this.saliencyRetry);
    this.saliencyRetry = undefined;
    const attempt = (left: number): void => {
      this.saliencyRetry = undefined;
      if (this.tryLoadSaliency(started.runDir, left <= 1)) return;
      if (left > 1) this.saliencyRetry = setTimeout(() => attempt(left - 1), SALIENCY_READ_RETRY_MS);
    };
    attempt(attempts);
  }

  private tryLoadSaliency(runDir: string, reportFailure: boolean): boolean {
    try {
      const t0 = Date.now();
      this.saliency = loadSaliencyScores(runDir);
      this.log.debug(`panel: read the saliency map of ${runDir} (${this.saliency.total} scores) in ${Date.now() - t0} ms`);
      this.notifyAll(SaliencyScoresNotification, this.saliency.scoresMessage());
      return true;
    } catch (err) {
      if (reportFailure) this.log.warn(`panel: no saliency map to preview in ${runDir}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  private async applySaliencyRatio(ratio: number): Promise<void> {
    const rounded = Number(ratio.toFixed(4));
    const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
    const target = hasFolder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update('saliencyRatio', rounded, target);
    this.log.info(`panel: salun.saliencyRatio = ${rounded} (${hasFolder ? 'workspace' : 'user'} setting)`);
    void vscode.window.showInformationMessage(
      `SalUn: the next job uses saliency ratio ${rounded} (salun.saliencyRatio, ${hasFolder ? 'workspace' : 'user'} setting).`,
    );
  }

  private async exportFile(format: ExportFormat, fileName: string, content: string): Promise<void> {
    if (format === 'png' && !/^[A-Za-z0-9+/]+={0,2}$/.test(content)) {
      this.log.warn('panel: ignored a PNG export that is not base64');
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${fileName}`,
      saveLabel: 'Export',
      filters: EXPORT_FILTERS[format],
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
    });
    if (!uri) return;
    const bytes = format === 'png' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.log.info(`panel: exported ${format} to ${uri.fsPath} (${bytes.byteLength} bytes)`);
    void vscode.window.showInformationMessage(`SalUn: saved ${uri.fsPath}`);
  }

  private sendReplay(): void {
    for (const c of this.connections()) this.sendReplayTo(c.channel);
  }

  private sendReplayTo(ch: PanelChannel): void {
    ch.resync(() => {
      ch.notify(ReplayNotification, { events: [...this.supervisor.eventLog()], jobRunning: this.supervisor.running });
      const setup = this.runSetup();
      if (setup) ch.notify(RunSetupNotification, setup);
      // A replay resets the panel's state; what it was sent besides the events comes after it.
      if (this.saliency) ch.notify(SaliencyScoresNotification, this.saliency.scoresMessage());
      if (this.runs) ch.notify(RunsNotification, { runs: this.runs });
      // A replay shows the live job's trend; a past run's trend comes after it to stay in view.
      if (this.runTrend) ch.notify(RunTrendNotification, this.runTrend);
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
