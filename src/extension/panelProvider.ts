// The SalUn side panel (a WebviewView). The host owns the truth (the supervisor's event log);
// the webview only renders it. Because VS Code drops postMessage to a hidden webview, the panel
// is re-sent a full replay whenever it may have missed something.
import * as vscode from 'vscode';
import type { JobSupervisor } from './jobSupervisor';
import type { JobEvent } from '../protocol/jobMessages';
import type { HostToWebview, PanelAction } from '../protocol/webviewMessages';
import { isWebviewToHost } from '../protocol/webviewMessages';
import { PANEL_VIEW_ID } from './commandIds';
import { createNonce, panelHtml } from './panelHtml';

export type PanelActionHandler = (action: PanelAction) => void;

export class SalunPanelProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = PANEL_VIEW_ID;

  private view: vscode.WebviewView | undefined;
  /** The webview's script has said 'ready' since its document was (re)loaded. */
  private ready = false;
  /** A post was dropped or skipped; the next chance to deliver sends a replay instead. */
  private stale = false;
  private readonly posted: HostToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly supervisor: JobSupervisor,
    private readonly log: vscode.LogOutputChannel,
    private readonly onAction: PanelActionHandler,
  ) {
    const sub = supervisor.subscribe({
      onJobStarted: () => this.sendReplay(),
      onEvent: (event) => this.sendEvent(event),
      onJobEnded: () => this.send({ type: 'jobState', running: false }),
    });
    this.disposables.push(new vscode.Disposable(() => sub.dispose()));
  }

  /** Every message VS Code accepted for the webview since activation, in order. */
  messages(): readonly HostToWebview[] {
    return this.posted;
  }

  get isResolved(): boolean {
    return this.view !== undefined;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.disposeView();
    this.view = webviewView;
    this.ready = false;
    this.stale = true;

    const webview = webviewView.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = panelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css')),
      cspSource: webview.cspSource,
    }, createNonce());

    this.viewDisposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      webviewView.onDidChangeVisibility(() => {
        if (webviewView.visible && this.ready && this.stale) this.sendReplay();
      }),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) {
          this.view = undefined;
          this.ready = false;
          this.disposeView();
        }
      }),
    );
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
    this.disposeView();
    for (const d of this.disposables) d.dispose();
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`panel: ignored a malformed message from the webview: ${JSON.stringify(message)?.slice(0, 300)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.sendReplay();
      return;
    }
    this.onAction(message.action);
  }

  private sendReplay(): void {
    this.send({ type: 'replay', events: [...this.supervisor.eventLog()], jobRunning: this.supervisor.running });
  }

  private sendEvent(event: JobEvent): void {
    if (this.stale) {
      // Something was missed; a replay carries this event too and restores the order.
      this.sendReplay();
      return;
    }
    this.send({ type: 'event', event });
  }

  private send(message: HostToWebview): void {
    const view = this.view;
    if (!view || !this.ready || !view.visible) {
      this.stale = true;
      return;
    }
    if (message.type === 'replay') this.stale = false;
    view.webview.postMessage(message).then(
      (delivered) => {
        if (delivered) {
          this.posted.push(message);
        } else {
          this.stale = true;
          this.log.debug(`panel: webview dropped a '${message.type}' message; will replay when visible`);
        }
      },
      (err: unknown) => {
        this.stale = true;
        this.log.warn(`panel: postMessage failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  private disposeView(): void {
    for (const d of this.viewDisposables) d.dispose();
    this.viewDisposables = [];
  }
}
