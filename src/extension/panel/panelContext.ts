// What a panel request handler (panel/handlers/) is given, and the table type that checks the
// handlers exhaustive against the webview's message kinds (protocol/webviewMessages.ts): a kind
// without a handler, or a handler for no kind, fails to compile.
import type * as vscode from 'vscode';
import type { HostNotificationType, PanelAction, WebviewMessageType } from '../../protocol/webviewMessages';
import type { HandlerTable, HostChannel } from './hostChannel';
import type { PanelHostState } from './panelHostState';

/** One webview's channel: it sends every webview → host kind, and is posted every notification. */
export type PanelChannel = HostChannel<WebviewMessageType, HostNotificationType>;

export type PanelActionHandler = (action: PanelAction) => void;

export interface PanelContext {
  /** The channel the message came on: its webview's, the sidebar's or the editor tab's. */
  readonly channel: PanelChannel;
  readonly state: PanelHostState;
  readonly log: vscode.LogOutputChannel;
  /** The workspace state, where New Unlearning Run remembers its answers (the Run button reruns them). */
  readonly memory: vscode.Memento | undefined;
  /** Sends this channel's webview the whole picture (a replay and what follows it). */
  replay(): void;
  openInEditor(): void;
  /** The panel's actions that are plain commands (extension.ts maps them). */
  readonly onAction: PanelActionHandler;
}

/** Every kind the webview sends, with its handler: `satisfies PanelHandlers` is the exhaustiveness check. */
export type PanelHandlers = HandlerTable<WebviewMessageType, PanelContext>;

/** One area's handlers (panel/handlers/<area>.ts): only kinds that exist, each with the right handler. */
export type PanelAreaHandlers = Partial<PanelHandlers>;
