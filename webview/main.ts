// Entry of the side-panel bundle (dist/webview.js). Listens for host messages, folds them into
// PanelState, renders, and persists the event log (and a past run's trend, when one is shown) with
// setState so hide/show or a reload draws the last state at once, before the host's replay arrives.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { JobEvent } from '../src/protocol/jobMessages';
import { isJobEvent } from '../src/protocol/jobMessages';
import type { HostToWebview, RunTrend, WebviewToHost } from '../src/protocol/webviewMessages';
import { isHostToWebview, isRunTrend } from '../src/protocol/webviewMessages';
import { isRecord } from '../src/protocol/guards';
import type { PanelState } from './panelState';
import { applyHostMessage, initialPanelState, showLiveTrend, stateFromEvents } from './panelState';
import type { UiState } from './render';
import { PanelView } from './render';
import type { SeriesKey } from './charts';
import { SERIES_KEYS } from './charts';
import type { PreviewRequest } from './previewRequests';
import { PreviewRequests } from './previewRequests';

interface PersistedState {
  events: JobEvent[];
  jobRunning: boolean;
  ui: UiState;
  /** The past run whose trend is shown instead of the live job's; absent: live. */
  runTrend?: RunTrend;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

function restoreUi(raw: unknown): UiState {
  const ui: UiState = { hiddenSeries: [] };
  if (!isRecord(raw)) return ui;
  if (Array.isArray(raw.hiddenSeries)) ui.hiddenSeries = raw.hiddenSeries.filter((k): k is SeriesKey => (SERIES_KEYS as readonly unknown[]).includes(k));
  if (Array.isArray(raw.selectedRuns)) ui.selectedRuns = raw.selectedRuns.filter((r): r is string => typeof r === 'string');
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

function main(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  if (!root) return;

  let persisted = restore(vscode.getState());
  let state: PanelState = persisted.events.length ? stateFromEvents(persisted.events, persisted.jobRunning) : initialPanelState();
  if (persisted.runTrend) state = applyHostMessage(state, { type: 'runTrend', ...persisted.runTrend });
  const previews = new PreviewRequests();

  const post = (message: WebviewToHost): void => vscode.postMessage(message);
  const postPreview = (request: PreviewRequest | undefined): void => {
    if (request) post({ type: 'previewThreshold', ...request });
  };

  // Progress events can come many times a second: draw once per frame, persist at most 4×/s.
  let drawPending = false;
  let savePending: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    savePending ??= setTimeout(() => {
      savePending = undefined;
      vscode.setState(persisted);
    }, 250);
  };

  const view = new PanelView(root, {
    onAction: (action) => post({ type: 'action', action }),
    onPreview: (by, value) => postPreview(previews.want(by, value, Date.now())),
    onApplyRatio: (ratio) => post({ type: 'applySaliencyRatio', ratio }),
    onRequestRuns: () => post({ type: 'requestRuns' }),
    onLoadRunSaliency: (runDir) => post({ type: 'loadRunSaliency', runDir }),
    onExport: (format, fileName, content) => post({ type: 'export', format, fileName, content }),
    onUiChange: (ui) => {
      persisted = { ...persisted, ui };
      save();
    },
    onShowLiveTrend: () => {
      state = showLiveTrend(state);
      persisted = { ...persisted, runTrend: undefined };
      post({ type: 'showLiveTrend' });
      schedule();
    },
  }, persisted.ui);
  view.render(state);

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

  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    const data = e.data;
    if (!isHostToWebview(data)) {
      console.warn('SalUn panel: ignored an unexpected message', data);
      return;
    }
    let message: HostToWebview = data;
    if (message.type === 'replay') {
      const events = message.events.filter(isJobEvent);
      if (events.length !== message.events.length) console.warn(`SalUn panel: dropped ${message.events.length - events.length} malformed event(s) from a replay`);
      message = { ...message, events };
      persisted = { ...persisted, events: [...events], jobRunning: message.jobRunning };
    } else if (message.type === 'event') {
      const event: unknown = message.event;
      if (!isJobEvent(event)) {
        console.warn('SalUn panel: ignored a malformed event', event);
        return;
      }
      // Consecutive progress events supersede each other; keep only the latest in the saved log.
      const events = persisted.events;
      if (event.type === 'progress' && events.length > 0 && events[events.length - 1].type === 'progress') events[events.length - 1] = event;
      else events.push(event);
    } else if (message.type === 'focusRun') {
      view.focusRun(message.runId);
      return;
    } else if (message.type === 'thresholdPreview' || message.type === 'previewUnavailable') {
      const { accept, next } = previews.answered(message.requestId, Date.now());
      postPreview(next);
      if (!accept) return;
      if (message.type === 'previewUnavailable') {
        console.warn(`SalUn panel: no preview: ${message.reason}`);
        return;
      }
    }
    state = applyHostMessage(state, message);
    persisted.jobRunning = state.jobRunning;
    persisted.runTrend = state.runTrend;
    schedule();
  });

  // The host re-reads the past run the panel was showing, unless it has chosen otherwise since.
  post(persisted.runTrend ? { type: 'ready', trendRunDir: persisted.runTrend.runDir } : { type: 'ready' });
}

main();
