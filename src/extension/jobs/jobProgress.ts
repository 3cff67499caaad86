// What the status bar and the SalUn view show of a running job: the phase's label, the whole job's
// progress exactly as the job stamped it on its events (protocol/jobProgress.ts: the panel shows the
// same fields), and the phase's own detail. Nothing here computes a percentage. No `vscode` import,
// so it is unit-tested (test/unit/jobFeedback.unit.test.ts, test/unit/jobProgress.unit.test.ts).
import { PHASE_LABELS, type JobEvent, type OverallProgress } from '../../protocol/jobMessages';

export interface JobProgressView {
  /** What the job is doing now: the phase's label. */
  label: string;
  /** The whole job's progress as the job sent it (0 until its first phase); absent only in events from before jobs sent it. */
  overall?: OverallProgress;
  /** The current phase's own detail: the epoch. */
  detail: string;
}

/** Keeps the latest label, whole-job progress and phase detail from a job's events. */
export class JobStatus {
  private view: JobProgressView = { label: 'Starting', overall: { fraction: 0 }, detail: '' };
  private phase: string | undefined;

  /** The view after `event`, or undefined when the event changes nothing shown. */
  update(event: JobEvent): JobProgressView | undefined {
    if (event.type === 'phase') {
      this.view = { label: event.label || PHASE_LABELS[event.phase], overall: event.overall ?? this.view.overall, detail: '' };
    } else if (event.type === 'progress') {
      const label = event.phase === this.phase ? this.view.label : PHASE_LABELS[event.phase];
      this.view = { label, overall: event.overall ?? this.view.overall, detail: event.epoch !== undefined ? `epoch ${event.epoch}` : '' };
    } else if (event.type !== 'started') {
      return undefined;
    }
    if (event.type === 'phase' || event.type === 'progress') this.phase = event.phase;
    return this.view;
  }
}
