// Progress with an ETA from the observed rate within the current phase.
import type { JobEvent, JobPhase } from '../protocol/jobMessages';

export type Emit = (e: JobEvent) => void;

export class PhaseProgress {
  private readonly start = Date.now();
  private lastSent = 0;

  constructor(
    private readonly emit: Emit,
    readonly phase: JobPhase,
    readonly total: number,
  ) {}

  /** Sends at most ~4 updates a second, and always the last one. */
  update(done: number, epoch?: number): void {
    const now = Date.now();
    if (done < this.total && now - this.lastSent < 250) return;
    this.lastSent = now;
    const elapsed = (now - this.start) / 1000;
    const etaSeconds = done > 0 ? (elapsed / done) * (this.total - done) : undefined;
    this.emit({ type: 'progress', phase: this.phase, done, total: this.total, etaSeconds, epoch });
  }
}
