// What `activate()` returns. Other extensions and the extension-host test suite use it to drive
// jobs and to observe what the panel was sent, without reaching into private state.
import type { JobEvent } from '../protocol/jobMessages';
import type { HostNotificationType, WebviewMessageType } from '../protocol/webviewMessages';
import type { HostChannel } from './panel/hostChannel';
import type { RunResult } from '../protocol/results';

/** A message the panel was handed, as SalunApi.panelMessages lists it (declared here, beside only the channel's type, so the API and the panel share it without an import cycle). */
export type PostedPanelMessage = ReturnType<HostChannel<WebviewMessageType, HostNotificationType>['messages']>[number];

export interface JobOutcome {
  status: 'finished' | 'failed' | 'cancelled';
  /** Present when status is 'finished' and the job was a full run. */
  result?: RunResult;
  events: JobEvent[];
}

/** One item of the Runs view, as the user sees it. */
export interface RunsTreeEntry {
  runId: string;
  dir: string;
  /** status.json's state: running, finished, stopped, failed, cancelled; 'unknown' without one. */
  state: string;
  /** The line beside the run id: method, state, gap and key metrics. */
  description: string;
  /** What the context menus match on: salun.run.<state>. */
  contextValue: string;
}

export interface SalunApi {
  /** Resolves when the current job (if any) ends; undefined when none is running. */
  waitForJob(): Promise<JobOutcome | undefined>;
  /**
   * In test runs only (ExtensionMode.Test, or SALUN_PANEL_MESSAGE_LOG=<n>): the messages the host has
   * handed to the panel webview since activation, in order, at their positions; only the last
   * TEST_MESSAGE_LOG (panelProvider.ts: 500), or n, are kept, older ones read as { type: 'dropped' }.
   * Empty outside tests.
   */
  panelMessages(): readonly PostedPanelMessage[];
  /** The Runs view's items as it would list them now, newest first. */
  runsTree(): RunsTreeEntry[];
}
