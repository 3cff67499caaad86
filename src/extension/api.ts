// What `activate()` returns. Other extensions and the extension-host test suite use it to drive
// jobs and to observe what the panel was sent, without reaching into private state.
import type { JobEvent } from '../protocol/jobMessages';
import type { HostToWebview } from '../protocol/webviewMessages';
import type { RunResult } from '../protocol/results';

export interface JobOutcome {
  status: 'finished' | 'failed' | 'cancelled';
  /** Present when status is 'finished' and the job was a full run. */
  result?: RunResult;
  events: JobEvent[];
}

export interface SalunApi {
  /** Resolves when the current job (if any) ends; undefined when none is running. */
  waitForJob(): Promise<JobOutcome | undefined>;
  /** Every message the host has handed to the panel webview since activation, in order. */
  panelMessages(): readonly HostToWebview[];
}
