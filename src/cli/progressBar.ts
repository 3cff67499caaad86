// A one-line terminal progress bar with ETA (stderr, so stdout keeps only the results).
import type { JobEvent } from '../protocol/jobMessages';
import { backendLines } from '../protocol/backendSummary';
import { metricsLine } from '../protocol/results';
import { JOB_KIND_ROWS } from '../protocol/configKinds';
import { overallPercent, overallText } from '../protocol/jobProgress';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

type ProgressEvent = Extract<JobEvent, { type: 'progress' }>;

/**
 * The bar is the whole job's figure, the one the editor's status bar and panel show (the job
 * computes it, protocol/jobProgress.ts); the phase's own count follows it. An event without the
 * figure (a job from before it was sent) falls back to the phase's fraction, said as such.
 */
export function progressLine(e: ProgressEvent): string {
  const width = 30;
  const epoch = e.epoch !== undefined ? ` epoch ${e.epoch}` : '';
  if (e.overall) {
    const bar = '█'.repeat(Math.floor((overallPercent(e.overall) * width) / 100)).padEnd(width, '░');
    // An epoch-counted phase reports fractions of epochs: one decimal, not 8.749456915278783.
    const done = Number.isInteger(e.done) ? String(e.done) : e.done.toFixed(1);
    return `  ${bar} ${overallText(e.overall)} · this phase ${done}/${e.total}${epoch}`;
  }
  const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
  const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
  const eta = e.etaSeconds !== undefined ? ` ETA ${clock(e.etaSeconds)}` : '';
  return `  ${bar} this phase ${(frac * 100).toFixed(0).padStart(3)}%${epoch}${eta}`;
}

export class TerminalProgress {
  private drawn = false;
  private readonly tty = process.stderr.isTTY === true;
  private lastPlain = 0;

  constructor(private readonly quiet: boolean) {}

  handle(e: JobEvent): void {
    if (this.quiet) return;
    switch (e.type) {
      case 'phase':
        this.clear();
        process.stderr.write(`» ${e.label}\n`);
        break;
      case 'progress': {
        const line = progressLine(e);
        const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
        if (this.tty) {
          process.stderr.write(`\r${line}\x1b[K`);
          this.drawn = true;
        } else if (Date.now() - this.lastPlain > 10_000 || frac === 1) {
          process.stderr.write(`${line}\n`);
          this.lastPlain = Date.now();
        }
        break;
      }
      case 'log':
        if (e.level !== 'info' || process.env.SALUN_VERBOSE) {
          this.clear();
          process.stderr.write(`[${e.level}] ${e.message}\n`);
        }
        break;
      case 'started':
        this.clear();
        process.stderr.write(`${JOB_KIND_ROWS[e.kind].runFolder ? 'run' : e.kind} ${e.runId}\n${backendLines(e.backend).join('\n')}\n`);
        break;
      case 'metrics':
        this.clear();
        process.stderr.write(`  epoch ${e.epoch}: ${metricsLine(e.metrics, (x) => x.toFixed(2), '  ')}\n`);
        break;
      case 'saliency':
        this.clear();
        process.stderr.write(
          `  mask: ratio ${e.summary.ratio.toFixed(3)}, γ = ${e.summary.gamma.toExponential(3)}, ${e.summary.salientWeights}/${e.summary.totalWeights} weights salient\n`,
        );
        break;
      default:
        break;
    }
  }

  clear(): void {
    if (this.drawn) {
      process.stderr.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}
