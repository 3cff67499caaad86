// Messages between the extension host and the SalUn side panel (webview). The panel renders only
// what it receives: job events (live, or replayed after a reload) and host status.
import type { JobEvent } from './jobMessages';
import { isOneOf, isRecord } from './guards';

/** Host → webview. */
export type HostToWebview =
  /** Everything the panel needs after (re)loading: the current or last job's event log. */
  | { type: 'replay'; events: JobEvent[]; jobRunning: boolean }
  /** One live event of the running job. */
  | { type: 'event'; event: JobEvent }
  | { type: 'jobState'; running: boolean };

/** Actions the panel may ask the host to perform (the panel never does work itself). */
export const PANEL_ACTIONS = ['computeSaliency', 'runUnlearning', 'cancelJob', 'showLog'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

/** Webview → host. */
export type WebviewToHost =
  /** Sent once the panel's script is listening; the host answers with a replay. */
  | { type: 'ready' }
  | { type: 'action'; action: PanelAction };

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isRecord(x)) return false;
  if (x.type === 'ready') return true;
  return x.type === 'action' && isOneOf(x.action, PANEL_ACTIONS);
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'replay': return Array.isArray(x.events) && typeof x.jobRunning === 'boolean';
    case 'event': return isRecord(x.event);
    case 'jobState': return typeof x.running === 'boolean';
    default: return false;
  }
}
