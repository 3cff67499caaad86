// Entry of the side-panel bundle (dist/webview.js). Listens for host messages, folds them into
// PanelState, renders, and persists the event log (and a past run's trend, when one is shown) with
// setState so hide/show or a reload draws the last state at once, before the host's replay arrives.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { JobEvent } from '../src/protocol/jobMessages';
import { isJobEvent } from '../src/protocol/jobMessages';
import type { HostNotification, HostNotificationType, RunTrend } from '../src/protocol/webviewMessages';
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

function main(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  if (!root) return;

  let persisted = restore(vscode.getState());
  let state: PanelState = persisted.events.length ? stateFromEvents(persisted.events, persisted.jobRunning) : initialPanelState();
  if (persisted.runTrend) state = applyHostMessage(state, { type: 'runTrend', ...persisted.runTrend });
  const warn = (message: string, data?: unknown): void => {
    if (data === undefined) console.warn(message);
    else console.warn(message, data);
  };
  const channel = new WebviewChannel<HostNotificationType>(vscode, HOST_NOTIFICATIONS, warn);

  // Progress events can come many times a second: draw once per frame, persist at most 4×/s.
  let drawPending = false;
  let savePending: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    savePending ??= setTimeout(() => {
      savePending = undefined;
      vscode.setState(persisted);
    }, 250);
  };
  const schedule = (): void => {
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(() => {
        drawPending = false;
        view.render(state);
      });
    }
    save();
  };
  const fold = (message: HostNotification): void => {
    state = applyHostMessage(state, message);
    persisted.jobRunning = state.jobRunning;
    persisted.runTrend = state.runTrend;
    schedule();
  };

  const previews = new ThresholdPreviews(
    channel,
    (preview) => {
      state = applyPreview(state, preview);
      schedule();
    },
    warn,
  );
  const view = new PanelView(
    root,
    {
      channel,
      previews,
      onUiChange: (ui) => {
        persisted = { ...persisted, ui };
        save();
      },
      onShowLiveTrend: () => {
        state = showLiveTrend(state);
        persisted = { ...persisted, runTrend: undefined };
        schedule();
      },
    },
    persisted.ui,
    placementOf(document.body),
  );
  view.render(state);

  // Charts are rebuilt when VS Code switches theme (it rewrites <body>'s class and the variables).
  let theme = themeOf(document.body);
  document.body.dataset.theme = theme;
  new MutationObserver(() => {
    const next = themeOf(document.body);
    if (next === theme) return;
    theme = next;
    document.body.dataset.theme = theme;
    view.redrawCharts();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

  channel.onNotification(ReplayNotification, (message) => {
    const events = message.events.filter(isJobEvent);
    if (events.length !== message.events.length) console.warn(`SalUn panel: dropped ${message.events.length - events.length} malformed event(s) from a replay`);
    persisted = { ...persisted, events: [...events], jobRunning: message.jobRunning };
    fold({ ...message, events });
  });
  channel.onNotification(EventNotification, (message) => {
    // Consecutive progress events supersede each other; keep only the latest in the saved log.
    const event = message.event;
    const events = persisted.events;
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

  // The host re-reads the past run the panel was showing, unless it has chosen otherwise since.
  channel.command(ReadyCommand, persisted.runTrend ? { trendRunDir: persisted.runTrend.runDir } : {});
}

main();
