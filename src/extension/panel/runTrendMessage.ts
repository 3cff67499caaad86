// What "Open in Panel" sends for a past run: its metric trend (metrics.jsonl), with a label that says
// which run it is and how it ended, and a generation run's sample grids and figures. No vscode import: the unit tests and the
// panel-replay recorder use it in plain Node.
import type { HostToWebview, RunTrend } from '../../protocol/webviewMessages';
import { readRunTrend, type RunTrendRead } from '../../store/runs/readRunTrend';
import { readRunGeneration } from '../../store/runs/readRunGeneration';

export type RunTrendMessage = Extract<HostToWebview, { type: 'runTrend' }>;

export function runTrendLabel(read: Pick<RunTrendRead, 'runId' | 'state' | 'points'>): string {
  const last = read.points[read.points.length - 1];
  const how =
    read.state === 'stopped' && last
      ? `stopped after epoch ${last.epoch}`
      : read.state === 'running'
        ? 'running; as read just now'
        : read.state === 'unknown'
          ? 'no status.json'
          : read.state;
  return `Run ${read.runId} (${how})`;
}

export function runTrendOf(read: RunTrendRead): RunTrend {
  return {
    runId: read.runId,
    runDir: read.dir,
    label: runTrendLabel(read),
    state: read.state,
    ...(read.method !== undefined ? { method: read.method } : {}),
    points: read.points,
    reference: read.reference,
    skippedLines: read.corruptLines.length + (read.tornTail ? 1 : 0),
  };
}

/**
 * Reads `runDir` (its trend, and a generation run's grids and figures) and builds the message;
 * `problems` are for the log (the message is still usable).
 */
export function runTrendMessage(runDir: string): { message: RunTrendMessage; problems: string[] } {
  const read = readRunTrend(runDir);
  const gen = readRunGeneration(runDir);
  return {
    message: { type: 'runTrend', ...runTrendOf(read), ...(gen.generation ? { generation: gen.generation } : {}) },
    problems: [...read.problems, ...gen.problems],
  };
}
