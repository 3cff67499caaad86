// A one-line terminal progress bar with ETA (stderr, so stdout keeps only the results).
import type { JobEvent } from '../protocol/jobMessages';
import { backendLines } from '../protocol/backendSummary';
import { metricsLine } from '../protocol/results';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
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
        const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
        const width = 30;
        const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
        const eta = e.etaSeconds !== undefined ? ` ETA ${clock(e.etaSeconds)}` : '';
        const line = `  ${bar} ${(frac * 100).toFixed(0).padStart(3)}%${e.epoch !== undefined ? ` epoch ${e.epoch}` : ''}${eta}`;
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
        process.stderr.write(`${e.kind === 'table' || e.kind === 'grid' ? e.kind : 'run'} ${e.runId}\n${backendLines(e.backend).join('\n')}\n`);
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
