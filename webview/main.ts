// Entry of the side-panel bundle (dist/webview.js). Listens for host messages, folds them into
// PanelState, renders, and persists the event log (and a past run's trend, when one is shown) with
// setState so hide/show or a reload draws the last state at once, before the host's replay arrives.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { JobEvent } from '../src/protocol/jobMessages';
import { isJobEvent } from '../src/protocol/jobMessages';
import type { HostNotification, HostNotificationType, RunTrend, ThresholdPreview } from '../src/protocol/webviewMessages';
import {
  EventNotification,
  FocusRunNotification,
  HOST_NOTIFICATIONS,
  isRunTrend,
  JobStateNotification,
  ReadyCommand,
  ReplayNotification,
  RunSetupNotification,
  RunsNotification,
  RunTrendNotification,
  SaliencyScoresNotification,
} from '../src/protocol/webviewMessages';
import { isRecord } from '../src/protocol/guards';
import type { PanelState } from './panelState';
import { applyHostMessage, applyPreview, initialPanelState, showLiveTrend, stateFromEvents } from './panelState';
import type { Placement, UiState } from './section';
import { PanelView } from './render';
import type { SeriesKey } from './charts';
import { SERIES_KEYS } from './charts';
import { ThresholdPreviews } from './previewRequests';
import { WebviewChannel } from './channel';

interface PersistedState {
  events: JobEvent[];
  jobRunning: boolean;
  ui: UiState;
  /** The past run whose trend is shown instead of the live job's; absent: live. */
  runTrend?: RunTrend;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

function restoreUi(raw: unknown): UiState {
  const ui: UiState = { hiddenSeries: [] };
  if (!isRecord(raw)) return ui;
  if (Array.isArray(raw.hiddenSeries)) ui.hiddenSeries = raw.hiddenSeries.filter((k): k is SeriesKey => (SERIES_KEYS as readonly unknown[]).includes(k));
  if (Array.isArray(raw.selectedRuns)) ui.selectedRuns = raw.selectedRuns.filter((r): r is string => typeof r === 'string');
  if (Array.isArray(raw.folded)) ui.folded = raw.folded.filter((r): r is string => typeof r === 'string');
  return ui;
}

function restore(raw: unknown): PersistedState {
  if (!isRecord(raw) || !Array.isArray(raw.events)) return { events: [], jobRunning: false, ui: restoreUi(undefined) };
  const restored: PersistedState = { events: raw.events.filter(isJobEvent), jobRunning: raw.jobRunning === true, ui: restoreUi(raw.ui) };
  if (isRunTrend(raw.runTrend)) restored.runTrend = raw.runTrend;
  return restored;
}

/** VS Code marks the theme kind with one of these classes on <body>. */
const THEME_CLASSES = ['vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light'];

function themeOf(body: HTMLElement): string {
  return THEME_CLASSES.filter((c) => body.classList.contains(c)).join(' ');
}

/** panelHtml marks the editor-area panel (Open Charts in Editor); the sidebar is the default. */
function placementOf(body: HTMLElement): Placement {
  return body.dataset.placement === 'editor' ? 'editor' : 'sidebar';
}

function warn(message: string, data?: unknown): void {
  if (data === undefined) console.warn(message);
  else console.warn(message, data);
}

/**
 * The panel's state and what of it is persisted. Progress events can come many times a second:
 * the view is drawn once per frame, and the state persisted at most 4×/s.
 */
class PanelStore {
  state: PanelState;
  persisted: PersistedState;
  /** Set once the view exists; a draw scheduled before then finds it by the next frame. */
  draw: (state: PanelState) => void = () => undefined;
  private drawPending = false;
  private savePending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly vscode: VsCodeApi) {
    this.persisted = restore(vscode.getState());
    const { events, jobRunning, runTrend } = this.persisted;
    this.state = events.length ? stateFromEvents(events, jobRunning) : initialPanelState();
    if (runTrend) this.state = applyHostMessage(this.state, { type: 'runTrend', ...runTrend });
  }

  save(): void {
    this.savePending ??= setTimeout(() => {
      this.savePending = undefined;
      this.vscode.setState(this.persisted);
    }, 250);
  }

  /** The state changed: draw it next frame, and persist. */
  schedule(): void {
    if (!this.drawPending) {
      this.drawPending = true;
      requestAnimationFrame(() => {
        this.drawPending = false;
        this.draw(this.state);
      });
    }
    this.save();
  }

  fold(message: HostNotification): void {
    this.state = applyHostMessage(this.state, message);
    this.persisted.jobRunning = this.state.jobRunning;
    this.persisted.runTrend = this.state.runTrend;
    this.schedule();
  }

  preview(preview: ThresholdPreview): void {
    this.state = applyPreview(this.state, preview);
    this.schedule();
  }

  showLiveTrend(): void {
    this.state = showLiveTrend(this.state);
    this.persisted = { ...this.persisted, runTrend: undefined };
    this.schedule();
  }

  saveUi(ui: UiState): void {
    this.persisted = { ...this.persisted, ui };
    this.save();
  }
}

/** Charts are rebuilt when VS Code switches theme (it rewrites <body>'s class and the variables). */
function watchTheme(view: PanelView): void {
  let theme = themeOf(document.body);
  document.body.dataset.theme = theme;
  new MutationObserver(() => {
    const next = themeOf(document.body);
    if (next === theme) return;
    theme = next;
    document.body.dataset.theme = theme;
    view.redrawCharts();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

function listen(channel: WebviewChannel<HostNotificationType>, store: PanelStore, view: PanelView): void {
  const fold = (message: HostNotification): void => store.fold(message);
  channel.onNotification(ReplayNotification, (message) => {
    const events = message.events.filter(isJobEvent);
    if (events.length !== message.events.length) console.warn(`SalUn panel: dropped ${message.events.length - events.length} malformed event(s) from a replay`);
    store.persisted = { ...store.persisted, events: [...events], jobRunning: message.jobRunning };
    fold({ ...message, events });
  });
  channel.onNotification(EventNotification, (message) => {
    // Consecutive progress events supersede each other; keep only the latest in the saved log.
    const event = message.event;
    const events = store.persisted.events;
    if (event.type === 'progress' && events.length > 0 && events[events.length - 1].type === 'progress') events[events.length - 1] = event;
    else events.push(event);
    fold(message);
  });
  channel.onNotification(JobStateNotification, fold);
  channel.onNotification(SaliencyScoresNotification, fold);
  channel.onNotification(RunsNotification, fold);
  channel.onNotification(RunTrendNotification, fold);
  channel.onNotification(RunSetupNotification, fold);
  channel.onNotification(FocusRunNotification, (message) => view.focusRun(message.runId));
  window.addEventListener('message', (e: MessageEvent<unknown>) => channel.receive(e.data));
}

function main(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  if (!root) return;

  const store = new PanelStore(vscode);
  const channel = new WebviewChannel<HostNotificationType>(vscode, HOST_NOTIFICATIONS, warn);
  const previews = new ThresholdPreviews(channel, (preview) => store.preview(preview), warn);
  const context = { channel, previews, onUiChange: (ui: UiState) => store.saveUi(ui), onShowLiveTrend: () => store.showLiveTrend() };
  const view = new PanelView(root, context, store.persisted.ui, placementOf(document.body));
  store.draw = (state) => view.render(state);
  view.render(store.state);
  watchTheme(view);
  listen(channel, store, view);

  // The host re-reads the past run the panel was showing, unless it has chosen otherwise since.
  channel.command(ReadyCommand, store.persisted.runTrend ? { trendRunDir: store.persisted.runTrend.runDir } : {});
}

main();
