// Entry of the side-panel bundle (dist/webview.js). Listens for host messages, folds them into
// PanelState, renders, and persists the event log with setState so hide/show or a reload draws
// the last state at once, before the host's replay arrives.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { JobEvent } from '../src/protocol/jobMessages';
import { isJobEvent } from '../src/protocol/jobMessages';
import type { HostToWebview, PanelAction, WebviewToHost } from '../src/protocol/webviewMessages';
import { isHostToWebview } from '../src/protocol/webviewMessages';
import { isRecord } from '../src/protocol/guards';
import type { PanelState } from './panelState';
import { applyHostMessage, initialPanelState, stateFromEvents } from './panelState';
import { PanelView } from './render';

interface PersistedState {
  events: JobEvent[];
  jobRunning: boolean;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

function restore(raw: unknown): PersistedState {
  if (!isRecord(raw) || !Array.isArray(raw.events)) return { events: [], jobRunning: false };
  return { events: raw.events.filter(isJobEvent), jobRunning: raw.jobRunning === true };
}

function main(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  if (!root) return;

  let persisted = restore(vscode.getState());
  let state: PanelState = persisted.events.length ? stateFromEvents(persisted.events, persisted.jobRunning) : initialPanelState();
  const view = new PanelView(root, (action: PanelAction) => vscode.postMessage({ type: 'action', action }));
  view.render(state);

  // Progress events can come many times a second: draw once per frame, persist at most 4×/s.
  let drawPending = false;
  let savePending: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(() => {
        drawPending = false;
        view.render(state);
      });
    }
    savePending ??= setTimeout(() => {
      savePending = undefined;
      vscode.setState(persisted);
    }, 250);
  };

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
      persisted = { events: [...events], jobRunning: message.jobRunning };
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
    }
    state = applyHostMessage(state, message);
    persisted.jobRunning = state.jobRunning;
    schedule();
  });

  vscode.postMessage({ type: 'ready' });
}

main();
